// Validation of a received OPEN against our configuration and negotiation of session parameters
// (RFC 4271 §6.2 and §4.2, RFC 6793 for 4-octet AS, RFC 4760 for multiprotocol). Pure.
import type { AfiSafi, ErrorInfo, FsmConfig, Negotiated, PeerOpen } from './types.ts';
import { ErrorCode, OpenSubcode } from '../errors.ts';

export type OpenCheck = { ok: true; negotiated: Negotiated } | { ok: false; error: ErrorInfo; reason: string };

const IPV4_UNICAST: AfiSafi = { afi: 1, safi: 1 };

export function checkOpen(open: PeerOpen, cfg: FsmConfig): OpenCheck {
  if (open.version !== 4) {
    // Data: the largest version we support, as a 2-octet number (RFC 4271 §6.2).
    return fail(
      OpenSubcode.UnsupportedVersionNumber,
      `unsupported BGP version ${open.version}`,
      new Uint8Array([0, 4]),
    );
  }
  const peerAsn = open.fourOctetAs ?? open.myAsn;
  if (peerAsn !== cfg.peerAsn) {
    return fail(OpenSubcode.BadPeerAs, `peer AS ${peerAsn} does not match configured ${cfg.peerAsn}`);
  }
  if (open.bgpId === 0) return fail(OpenSubcode.BadBgpIdentifier, 'BGP identifier is 0.0.0.0');
  if (cfg.peerAsn === cfg.localAsn && open.bgpId === cfg.bgpId) {
    return fail(OpenSubcode.BadBgpIdentifier, 'iBGP peer uses our own BGP identifier');
  }
  if (open.holdTime === 1 || open.holdTime === 2) {
    return fail(OpenSubcode.UnacceptableHoldTime, `hold time ${open.holdTime} s is not 0 and below 3 s`);
  }
  const holdTime = Math.min(cfg.holdTime, open.holdTime);
  return {
    ok: true,
    negotiated: {
      holdTime,
      keepaliveTime: keepaliveFor(holdTime, cfg.keepaliveTime),
      fourOctetAs: open.fourOctetAs !== undefined,
      families: negotiateFamilies(cfg.families, open.multiprotocol),
      peerBgpId: open.bgpId,
      peerAsn,
      routeRefresh: open.routeRefresh,
      ...(open.enhancedRouteRefresh ? { enhancedRouteRefresh: true } : {}),
      ...(open.gracefulRestart ? { gracefulRestart: open.gracefulRestart } : {}),
    },
  };
}

/** Keepalive interval: the configured one, but never more than a third of the hold time; 0 if hold is 0. */
export function keepaliveFor(holdTime: number, configured: number | undefined): number {
  if (holdTime === 0) return 0;
  const third = Math.max(1, Math.floor(holdTime / 3));
  if (configured === undefined || configured <= 0) return third;
  return Math.min(configured, third);
}

/** Families both sides offer. A peer without any multiprotocol capability implies IPv4 unicast only. */
export function negotiateFamilies(ours: AfiSafi[], theirs: AfiSafi[] | undefined): AfiSafi[] {
  const peer = theirs ?? [IPV4_UNICAST];
  return ours.filter((f) => peer.some((p) => p.afi === f.afi && p.safi === f.safi));
}

function fail(subcode: number, reason: string, data?: Uint8Array): OpenCheck {
  return { ok: false, reason, error: { code: ErrorCode.OpenMessage, subcode, ...(data ? { data } : {}) } };
}
