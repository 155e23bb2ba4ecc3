// Thin wrapper over ip-address: parse text to (family, bigint) and back. Everything that does arithmetic
// on addresses uses bigints from here; nothing string-slices an IP.
import { Address4, Address6 } from 'ip-address';
import type { Family } from './family.ts';

export interface Ip {
  family: Family;
  value: bigint;
}

export const FAMILY_BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

/** Parses a plain address (no prefix, no zone). Returns undefined when it is not one. */
export function parseIp(text: string): Ip | undefined {
  const s = text.trim();
  if (s === '' || s.includes('/') || s.includes('%')) return undefined;
  if (s.includes(':')) {
    return Address6.isValid(s) ? { family: 'ipv6', value: new Address6(s).bigInt() } : undefined;
  }
  // ip-address accepts some shorthand forms; insist on a dotted quad with decimal octets.
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(s) || !Address4.isValid(s)) return undefined;
  return { family: 'ipv4', value: new Address4(s).bigInt() };
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 'ipv4') return Address4.fromBigInt(value).correctForm();
  return Address6.fromBigInt(value).correctForm();
}

/** Canonical text of an address (e.g. IPv6 compressed, lower case), or undefined if invalid. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip && formatIp(ip.family, ip.value);
}

export interface Cidr {
  family: Family;
  /** Network address (host bits cleared). */
  first: bigint;
  last: bigint;
  prefixLength: number;
}

/**
 * Parses `addr/len`; a problem comes back as a message string. Host bits below the prefix are cleared,
 * as Go's net.ParseCIDR (and so MetalLB) does, so existing MetalLB configurations keep working.
 */
export function parseCidr(text: string): Cidr | string {
  const s = text.trim();
  const slash = s.indexOf('/');
  if (slash < 0) return `"${text}" is not a CIDR (missing "/prefix")`;
  const ip = parseIp(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (!ip) return `"${text}" is not a CIDR: "${s.slice(0, slash)}" is not an IP address`;
  const bits = FAMILY_BITS[ip.family];
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
    return `"${text}" is not a CIDR: prefix length must be 0..${bits}`;
  }
  const len = Number(lenText);
  const hostBits = BigInt(bits - len);
  const hostMask = (1n << hostBits) - 1n;
  const first = ip.value & ~hostMask;
  return { family: ip.family, first, last: first | hostMask, prefixLength: len };
}
