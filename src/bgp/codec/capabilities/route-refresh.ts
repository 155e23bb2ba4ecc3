// RFC 2918 Route Refresh capability (code 2) and RFC 7313 Enhanced Route Refresh (code 70): no value.
import type { BodyCodec, Capability } from '../model.ts';
import { malformedCapability } from './malformed.ts';

type RouteRefreshCap = Extract<Capability, { type: 'ROUTE_REFRESH' }>;
type EnhancedCap = Extract<Capability, { type: 'ENHANCED_ROUTE_REFRESH' }>;

export const routeRefreshCapability: BodyCodec<RouteRefreshCap> = {
  decode(_buf, _offset, length) {
    if (length !== 0) throw malformedCapability('ROUTE_REFRESH', `length ${length}, expected 0`);
    return { type: 'ROUTE_REFRESH' };
  },
  write: () => 0,
  length: () => 0,
};

export const enhancedRouteRefreshCapability: BodyCodec<EnhancedCap> = {
  decode(_buf, _offset, length) {
    if (length !== 0) throw malformedCapability('ENHANCED_ROUTE_REFRESH', `length ${length}, expected 0`);
    return { type: 'ENHANCED_ROUTE_REFRESH' };
  },
  write: () => 0,
  length: () => 0,
};
