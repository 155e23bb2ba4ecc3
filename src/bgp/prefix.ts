// An IP prefix as BGP carries it in NLRI and withdrawn-routes fields: family, network address as a bigint
// (host bits cleared) and prefix length.
import type { Family } from '../net/family.ts';
import { FAMILY_BITS, formatIp } from '../net/ip.ts';

export interface Prefix {
  family: Family;
  prefix: bigint;
  length: number;
}

/** The prefix with every bit beyond `length` cleared (RFC 4271 §4.3: trailing bits are irrelevant). */
export function canonicalPrefix(p: Prefix): Prefix {
  const bits = FAMILY_BITS[p.family];
  const host = BigInt(bits - p.length);
  return { family: p.family, prefix: (p.prefix >> host) << host, length: p.length };
}

/** `192.0.2.0/24`, `2001:db8::/32`. */
export function formatPrefix(p: Prefix): string {
  return `${formatIp(p.family, p.prefix)}/${p.length}`;
}

/** A string key unique per prefix, for maps and sets. */
export function prefixKey(p: Prefix): string {
  return `${p.family}:${p.prefix.toString(16)}/${p.length}`;
}
