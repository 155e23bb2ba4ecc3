// The route model FerroLB announces: one prefix per LoadBalancer IP (or per aggregate), with next hop,
// LOCAL_PREF, MED and communities. Keys and comparison for diffing desired state against Adj-RIB-Out.
import type { Family } from '../net/family.ts';
import { FAMILY_BITS } from '../net/ip.ts';
import type { Prefix } from './prefix.ts';

export type { Prefix } from './prefix.ts';
export { formatPrefix, prefixKey } from './prefix.ts';

export interface LargeCommunity {
  globalAdmin: number;
  localData1: number;
  localData2: number;
}

export interface Route {
  prefix: Prefix;
  /**
   * Next hop address text. Undefined: the session fills in its own local address of the route's family
   * (MetalLB's behaviour when the node address is not given).
   */
  nextHop?: string;
  /** IPv6 only: link-local next hop sent alongside the global one (RFC 2545), when known. */
  nextHopLinkLocal?: string;
  localPref?: number;
  med?: number;
  /** Standard communities (RFC 1997), 32-bit values, sorted, unique. */
  communities: number[];
  /** Large communities (RFC 8092), sorted, unique. */
  largeCommunities: LargeCommunity[];
  origin: 'igp';
}

/** Masks an address to `length` bits: the aggregate prefix covering it. */
export function aggregatePrefix(family: Family, address: bigint, length: number): Prefix {
  const bits = FAMILY_BITS[family];
  const len = Math.min(Math.max(0, Math.trunc(length)), bits);
  const hostMask = (1n << BigInt(bits - len)) - 1n;
  return { family, prefix: address & ~hostMask, length: len };
}

/** True when two routes for the same prefix carry the same path attributes (nothing to re-send). */
export function sameAttributes(a: Route, b: Route): boolean {
  return (
    a.nextHop === b.nextHop &&
    a.nextHopLinkLocal === b.nextHopLinkLocal &&
    a.localPref === b.localPref &&
    a.med === b.med &&
    a.origin === b.origin &&
    a.communities.length === b.communities.length &&
    a.communities.every((c, i) => c === b.communities[i]) &&
    a.largeCommunities.length === b.largeCommunities.length &&
    a.largeCommunities.every((c, i) => compareLarge(c, b.largeCommunities[i] as LargeCommunity) === 0)
  );
}

export function compareLarge(a: LargeCommunity, b: LargeCommunity): number {
  return a.globalAdmin - b.globalAdmin || a.localData1 - b.localData1 || a.localData2 - b.localData2;
}

/** Sorted, de-duplicated copies (so equal sets compare equal). */
export function normalizeCommunities(c: number[]): number[] {
  return [...new Set(c.map((x) => x >>> 0))].sort((x, y) => x - y);
}

export function normalizeLarge(c: LargeCommunity[]): LargeCommunity[] {
  const sorted = [...c].sort(compareLarge);
  return sorted.filter((x, i) => i === 0 || compareLarge(x, sorted[i - 1] as LargeCommunity) !== 0);
}
