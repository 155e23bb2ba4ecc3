// The route the session tests advertise: one address as a host route (/32 or /128), no attributes but
// ORIGIN IGP; `over` adds or replaces attributes.
import type { Route } from '../../../../src/bgp/routes.ts';
import { aggregatePrefix } from '../../../../src/bgp/routes.ts';
import { parseIp } from '../../../../src/net/ip.ts';

export function hostRoute(ip: string, over: Partial<Route> = {}): Route {
  const a = parseIp(ip);
  if (!a) throw new Error(`not an IP address: ${ip}`);
  return {
    prefix: aggregatePrefix(a.family, a.value, a.family === 'ipv4' ? 32 : 128),
    communities: [],
    largeCommunities: [],
    origin: 'igp',
    ...over,
  };
}
