// Builds our OPEN from plain settings: the 4-octet AS goes in the capability and AS_TRANS in the 2-octet
// field when it does not fit (RFC 6793 §4.1).
import { AS_TRANS } from '../constants.ts';
import type { AfiSafiForwarding, Capability, Open } from '../model.ts';

export interface OpenSettings {
  asn: number;
  holdTime: number;
  bgpId: number;
  families: { afi: number; safi: number }[];
  routeRefresh?: boolean;
  enhancedRouteRefresh?: boolean;
  gracefulRestart?: {
    restartState: boolean;
    notification?: boolean;
    restartTime: number;
    families: AfiSafiForwarding[];
  };
  /** Extra capabilities appended as given. */
  extra?: Capability[];
}

export function buildOpen(s: OpenSettings): Open {
  const capabilities: Capability[] = s.families.map((f) => ({ type: 'MULTIPROTOCOL', afi: f.afi, safi: f.safi }));
  if (s.routeRefresh ?? true) capabilities.push({ type: 'ROUTE_REFRESH' });
  if (s.enhancedRouteRefresh) capabilities.push({ type: 'ENHANCED_ROUTE_REFRESH' });
  capabilities.push({ type: 'FOUR_OCTET_AS', asn: s.asn });
  if (s.gracefulRestart) {
    const g = s.gracefulRestart;
    capabilities.push({
      type: 'GRACEFUL_RESTART',
      restartState: g.restartState,
      notification: g.notification ?? false,
      restartTime: g.restartTime,
      families: g.families,
    });
  }
  if (s.extra) capabilities.push(...s.extra);
  return {
    type: 'OPEN',
    version: 4,
    myAsn: s.asn > 0xffff ? AS_TRANS : s.asn,
    holdTime: s.holdTime,
    bgpId: s.bgpId,
    capabilities,
  };
}

/** The peer's real AS: the 4-octet AS capability when present, else the 2-octet field (RFC 6793 §4.1). */
export function openAsn(open: Open): number {
  for (const c of open.capabilities) if (c.type === 'FOUR_OCTET_AS') return c.asn;
  return open.myAsn;
}
