// avoid-buggy-ips (MetalLB): IPv4 addresses whose last octet is 0 or 255 confuse the smurf protection
// of some CPE firmwares, so pools with avoidBuggyIPs never hand them out. Everything here is arithmetic:
// no iteration over a range.
import type { Family } from '../net/family.ts';

export function isBuggyIp(family: Family, value: bigint): boolean {
  if (family !== 'ipv4') return false;
  const low = value & 255n;
  return low === 0n || low === 255n;
}

/** How many x in [0, n] end in .0 or .255 (n >= -1). */
function buggyUpTo(n: bigint): bigint {
  if (n < 0n) return 0n;
  return n / 256n + 1n + (n + 1n) / 256n;
}

/** How many addresses of the inclusive range [first, last] end in .0 or .255 (0 for IPv6). */
export function countBuggyIps(family: Family, first: bigint, last: bigint): bigint {
  if (family !== 'ipv4' || last < first) return 0n;
  return buggyUpTo(last) - buggyUpTo(first - 1n);
}
