// Address text to (family, bigint) and back, written here: dotted quads (decimal, no leading zeros) and
// RFC 4291 section 2.2's IPv6 forms (groups, one "::", an IPv4 dotted quad as the last 32 bits) in;
// RFC 5952's canonical form out (ipv6-text.ts), the text WHATWG URLs and Go give (so MetalLB's
// addresses read the same). Everything that does arithmetic on addresses uses bigints from here; nothing
// string-slices an IP. No zones ("%eth0"), no prefixes: callers take those apart first.
import type { Family } from './family.ts';
import { formatIpv6Groups, ipv6Groups } from './ipv6-text.ts';

export interface Ip {
  family: Family;
  value: bigint;
}

export const FAMILY_BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 4 octets of a dotted quad, or undefined (not four decimal octets ≤ 255 without leading zeros). */
function ipv4Octets(text: string): number[] | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1);
  // A leading zero is octal to inet_aton and decimal to others: refused, as Go's net.ParseIP does.
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** The 8 groups of an IPv6 text, its last 32 bits possibly a dotted quad, or undefined. */
function ipv6TextGroups(text: string): number[] | undefined {
  const colon = text.lastIndexOf(':');
  const tail = text.slice(colon + 1);
  if (!tail.includes('.')) return ipv6Groups(text);
  const o = ipv4Octets(tail);
  if (!o) return undefined;
  const hex = `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  return ipv6Groups(`${text.slice(0, colon + 1)}${hex}`);
}

/** Parses a plain address (no prefix, no zone). Returns undefined when it is not one. */
export function parseIp(text: string): Ip | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    const g = ipv6TextGroups(s);
    return g && { family: 'ipv6', value: g.reduce((v, x) => (v << 16n) | BigInt(x), 0n) };
  }
  const o = ipv4Octets(s);
  return o && { family: 'ipv4', value: BigInt(((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!) };
}

/** Canonical text of an address value, by arithmetic (the allocator formats every address it hands out). */
export function formatIp(family: Family, value: bigint): string {
  if (family === 'ipv4') {
    const v = Number(value & 0xffffffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  // Four 32-bit numbers: two bigint operations per half instead of one per group.
  const hi = value >> 64n;
  const lo = value & 0xffff_ffff_ffff_ffffn;
  const w = [Number(hi >> 32n), Number(hi & 0xffff_ffffn), Number(lo >> 32n), Number(lo & 0xffff_ffffn)];
  return formatIpv6Groups(w.flatMap((x) => [x >>> 16, x & 0xffff]));
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
