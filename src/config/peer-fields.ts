// Checks and assembly shared by legacy `peers` entries and BGPPeer CRDs.
import { canonicalIp, parseIp } from '../net/ip.ts';
import type { LabelSelector, Peer, SecretRef } from './model.ts';
import type { Problems } from './problems.ts';

/** Canonical text of an address field, or undefined after reporting. */
export function readAddress(problems: Problems, path: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const c = canonicalIp(text);
  if (c === undefined) problems.add(path, `"${text}" is not an IP address`);
  return c;
}

/** The BGP Identifier is 32 bits (RFC 4271 §4.2; RFC 6286 keeps it 32 bits for IPv6-only speakers). */
export function readRouterId(problems: Problems, path: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ip = parseIp(text);
  if (!ip || ip.family !== 'ipv4') {
    problems.add(path, `"${text}" is not an IPv4 address (the BGP router ID is 32 bits, written as IPv4)`);
    return undefined;
  }
  return canonicalIp(text);
}

export function checkSourceFamily(
  problems: Problems,
  path: string,
  source: string | undefined,
  peer: string | undefined,
): void {
  if (source === undefined || peer === undefined) return;
  const s = parseIp(source);
  const p = parseIp(peer);
  if (s && p && s.family !== p.family) {
    problems.add(path, `source address ${source} and peer address ${peer} are of different IP families`);
  }
}

export function checkMultiHop(
  problems: Problems,
  path: string,
  multiHop: boolean,
  myASN?: number,
  peerASN?: number,
): void {
  if (multiHop && myASN !== undefined && myASN === peerASN) {
    problems.add(path, `eBGP multi-hop cannot be set on an iBGP peer (local and peer ASN are both ${myASN})`);
  }
}

/** The fields of a peer as read from either format (undefined: missing or already reported). */
export interface PeerParts {
  myASN: number | undefined;
  peerASN: number | undefined;
  peerAddress: string | undefined;
  peerPort: number;
  /** [holdTime, keepaliveTime] in seconds, from resolveTimers. */
  timers: [number, number] | undefined;
  ebgpMultiHop: boolean;
  nodeSelectors: LabelSelector[];
  sourceAddress?: string | undefined;
  routerID?: string | undefined;
  /** An empty string means unset (MetalLB's omitempty), as for bfdProfile and vrf. */
  password?: string | undefined;
  passwordSecret?: SecretRef | undefined;
  bfdProfile?: string | undefined;
  vrf?: string | undefined;
}

/**
 * The Peer, or undefined when a problem was reported since `before` or a required field is missing.
 * Optional fields are set only when present, so two equal peers serialize alike.
 */
export function assemblePeer(
  problems: Problems,
  before: number,
  name: (peerAddress: string) => string,
  parts: PeerParts,
): Peer | undefined {
  const { myASN, peerASN, peerAddress, timers } = parts;
  if (problems.count > before || myASN === undefined || peerASN === undefined || !peerAddress || !timers)
    return undefined;
  const peer: Peer = {
    name: name(peerAddress),
    myASN,
    peerASN,
    peerAddress,
    peerPort: parts.peerPort,
    holdTime: timers[0],
    keepaliveTime: timers[1],
    ebgpMultiHop: parts.ebgpMultiHop,
    nodeSelectors: parts.nodeSelectors,
  };
  if (parts.sourceAddress !== undefined) peer.sourceAddress = parts.sourceAddress;
  if (parts.routerID !== undefined) peer.routerID = parts.routerID;
  if (parts.password) peer.password = parts.password;
  if (parts.passwordSecret) peer.passwordSecret = parts.passwordSecret;
  if (parts.bfdProfile) peer.bfdProfile = parts.bfdProfile;
  if (parts.vrf) peer.vrf = parts.vrf;
  return peer;
}
