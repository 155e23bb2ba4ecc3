// One entry of a pool's `addresses`: a CIDR ("192.0.2.0/28", host bits cleared as Go does) or an
// inclusive range "first-last" of one family (spaces around "-" allowed, as MetalLB allows).
import { FAMILY_BITS, formatIp, parseCidr, parseIp } from '../net/ip.ts';
import type { Family } from '../net/family.ts';
import type { IpRange } from './model.ts';

export interface ParsedRange {
  range: IpRange;
  /**
   * The shortest prefix length among the CIDRs that exactly cover the entry (MetalLB summarizes a range
   * into CIDRs and uses the lowest mask): an aggregation length below it would announce addresses
   * outside the pool.
   */
  shortestPrefix: number;
}

/** Parses an address entry; returns the range or an error message. */
export function parseAddressEntry(text: string): ParsedRange | string {
  const s = text.trim();
  if (s === '') return 'empty address entry';
  if (s.includes('-')) {
    const dash = s.indexOf('-');
    const firstText = s.slice(0, dash).trim();
    const lastText = s.slice(dash + 1).trim();
    const first = parseIp(firstText);
    const last = parseIp(lastText);
    if (!first) return `invalid IP range "${text}": "${firstText}" is not an IP address`;
    if (!last) return `invalid IP range "${text}": "${lastText}" is not an IP address`;
    if (first.family !== last.family) {
      return `invalid IP range "${text}": mixes ${familyName(first.family)} and ${familyName(last.family)}`;
    }
    if (first.value > last.value) {
      return `invalid IP range "${text}": first address ${formatIp(first.family, first.value)} is after last address ${formatIp(last.family, last.value)}`;
    }
    return {
      range: { family: first.family, first: first.value, last: last.value, text: s },
      shortestPrefix: shortestCoveringPrefix(first.family, first.value, last.value),
    };
  }
  if (!s.includes('/')) {
    const ip = parseIp(s);
    if (ip) {
      const bits = FAMILY_BITS[ip.family];
      return `"${text}" is a single address, not a CIDR or range (write "${s}/${bits}")`;
    }
    return `"${text}" is neither a CIDR ("192.0.2.0/24") nor a range ("192.0.2.10-192.0.2.20")`;
  }
  const cidr = parseCidr(s);
  if (typeof cidr === 'string') return cidr;
  return {
    range: {
      family: cidr.family,
      first: cidr.first + skipsSubnetRouterAnycast(cidr.family, cidr.prefixLength),
      last: cidr.last,
      text: s,
    },
    shortestPrefix: cidr.prefixLength,
  };
}

/**
 * 1n when an IPv6 CIDR pool leaves out its first address: the Subnet-Router anycast address (RFC 4291
 * §2.6.1, the prefix with an all-zeros interface identifier), which routers on the link answer for, so
 * a Service given it would not be reachable. /127 and /128 keep it (RFC 6164 §6: no such anycast on a
 * /127 point-to-point link; a /128 is one address asked for by name). An explicit range that lists the
 * address may still hand it out. MetalLB hands it out; FerroLB does not (README, Configuration).
 */
function skipsSubnetRouterAnycast(family: Family, prefixLength: number): bigint {
  return family === 'ipv6' && prefixLength <= 126 ? 1n : 0n;
}

export function familyName(f: Family): string {
  return f === 'ipv4' ? 'IPv4' : 'IPv6';
}

/**
 * Splits [first, last] into the fewest aligned CIDR blocks (like ipaddr.Summarize) and returns the
 * shortest prefix length among them.
 */
export function shortestCoveringPrefix(family: Family, first: bigint, last: bigint): number {
  const bits = FAMILY_BITS[family];
  let shortest = bits;
  let cur = first;
  // Each step takes the largest aligned block starting at cur that fits; at most 2*bits steps.
  while (cur <= last) {
    let size = 0; // block of 2^size addresses
    while (size < bits) {
      const next = size + 1;
      const blockMask = (1n << BigInt(next)) - 1n;
      if ((cur & blockMask) !== 0n) break;
      if (cur + blockMask > last) break;
      size = next;
    }
    shortest = Math.min(shortest, bits - size);
    const end = cur + (1n << BigInt(size)) - 1n;
    if (end >= last) break;
    cur = end + 1n;
  }
  return shortest;
}
