// Checks shared by legacy `peers` entries and BGPPeer CRDs.
import { canonicalIp, parseIp } from '../net/ip.ts';
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

export function checkSourceFamily(problems: Problems, path: string, source: string | undefined, peer: string | undefined): void {
  if (source === undefined || peer === undefined) return;
  const s = parseIp(source);
  const p = parseIp(peer);
  if (s && p && s.family !== p.family) {
    problems.add(path, `source address ${source} and peer address ${peer} are of different IP families`);
  }
}

export function checkMultiHop(problems: Problems, path: string, multiHop: boolean, myASN?: number, peerASN?: number): void {
  if (multiHop && myASN !== undefined && myASN === peerASN) {
    problems.add(path, `eBGP multi-hop cannot be set on an iBGP peer (local and peer ASN are both ${myASN})`);
  }
}
