// The session's bridge to the codec: what our OPEN carries, reads the peer's OPEN into the FSM's PeerOpen,
// and turns FerroLB routes into codec routes (path attributes per peer type).
import type { Family } from '../../net/family.ts';
import type { OpenSettings } from '../codec/index.ts';
import type { Open, PathAttribute, WireRoute } from '../codec/model.ts';
import type { AfiSafi, PeerOpen } from '../fsm/types.ts';
import type { Route } from '../routes.ts';

export const FAMILY_AFI: Record<Family, number> = { ipv4: 1, ipv6: 2 };
export const SAFI_UNICAST = 1;

export function familyOfAfi(afi: number): Family | undefined {
  return afi === 1 ? 'ipv4' : afi === 2 ? 'ipv6' : undefined;
}

export interface OpenParams {
  localAsn: number;
  holdTime: number;
  bgpId: number;
  families: AfiSafi[];
  /** RFC 4724: advertise graceful restart with this restart time; `restarting` sets the R bit. */
  gracefulRestart?: { restartTime: number; restarting: boolean };
}

/**
 * What our OPEN carries, for the codec's buildOpen: route refresh, enhanced route refresh (RFC 7313) and
 * 4-octet AS always, GR when set.
 */
export function openSettings(p: OpenParams): OpenSettings {
  const gr = p.gracefulRestart;
  return {
    asn: p.localAsn,
    holdTime: p.holdTime,
    bgpId: p.bgpId,
    families: p.families,
    routeRefresh: true,
    enhancedRouteRefresh: true,
    ...(gr
      ? {
          gracefulRestart: {
            restartState: gr.restarting,
            notification: false,
            restartTime: Math.min(4095, Math.max(0, Math.trunc(gr.restartTime))),
            // Forwarding state: the node keeps forwarding to the LoadBalancer IPs while the speaker restarts.
            families: p.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingState: gr.restarting })),
          },
        }
      : {}),
  };
}

export function toPeerOpen(open: Open): PeerOpen {
  const peer: PeerOpen = {
    version: open.version,
    myAsn: open.myAsn,
    holdTime: open.holdTime,
    bgpId: open.bgpId >>> 0,
    routeRefresh: false,
  };
  const mp: AfiSafi[] = [];
  for (const c of open.capabilities) {
    switch (c.type) {
      case 'MULTIPROTOCOL':
        mp.push({ afi: c.afi, safi: c.safi });
        break;
      case 'ROUTE_REFRESH':
        peer.routeRefresh = true;
        break;
      case 'ENHANCED_ROUTE_REFRESH':
        peer.routeRefresh = true;
        peer.enhancedRouteRefresh = true;
        break;
      case 'FOUR_OCTET_AS':
        peer.fourOctetAs = c.asn;
        break;
      case 'GRACEFUL_RESTART':
        peer.gracefulRestart = { restarting: c.restartState, restartTime: c.restartTime };
        break;
    }
  }
  if (mp.length > 0) peer.multiprotocol = mp;
  return peer;
}

export interface PeerKind {
  localAsn: number;
  ibgp: boolean;
}

/** Default LOCAL_PREF towards iBGP peers (RFC 4271 §5.1.5 requires the attribute there). */
export const DEFAULT_LOCAL_PREF = 100;

export function toCodecRoute(route: Route, nextHop: bigint, linkLocal: bigint | undefined, kind: PeerKind): WireRoute {
  const attributes: PathAttribute[] = [
    { type: 'ORIGIN', origin: 'IGP' },
    { type: 'AS_PATH', segments: kind.ibgp ? [] : [{ type: 'AS_SEQUENCE', asns: [kind.localAsn] }] },
  ];
  if (route.med !== undefined) attributes.push({ type: 'MULTI_EXIT_DISC', med: route.med });
  if (kind.ibgp) attributes.push({ type: 'LOCAL_PREF', localPref: route.localPref ?? DEFAULT_LOCAL_PREF });
  if (route.communities.length > 0)
    attributes.push({ type: 'COMMUNITIES', communities: route.communities.map((c) => c >>> 0) });
  if (route.largeCommunities.length > 0) {
    attributes.push({ type: 'LARGE_COMMUNITIES', communities: route.largeCommunities });
  }
  return {
    prefix: route.prefix,
    nextHop,
    ...(linkLocal !== undefined && route.prefix.family === 'ipv6' ? { linkLocalNextHop: linkLocal } : {}),
    attributes,
  };
}
