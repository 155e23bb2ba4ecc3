// The baseline for bench/allocator.ts: what MetalLB's allocator does to find a free address — for every
// allocation, walk the pool's range from its first address, skipping buggy .0/.255 addresses when asked,
// until an address not in the used set turns up. O(n) per allocation, O(n²) to fill a pool.
// Deliberately a generous baseline: MetalLB builds an ip.String() per candidate and probes a string map;
// here the used set is keyed by bigint and formatting uses the same fast formatter as the real allocator,
// so the measured ratio understates, rather than inflates, the difference.
import type { Family } from '../src/net/family.ts';
import { formatIp } from '../src/net/ip.ts';

export interface NaiveRange {
  family: Family;
  first: bigint;
  last: bigint;
}

export class NaiveAllocator {
  private readonly used: Record<Family, Set<bigint>> = { ipv4: new Set(), ipv6: new Set() };
  private readonly ranges: readonly NaiveRange[];
  private readonly avoidBuggyIps: boolean;

  constructor(ranges: readonly NaiveRange[], avoidBuggyIps: boolean) {
    this.ranges = ranges;
    this.avoidBuggyIps = avoidBuggyIps;
  }

  /** The first free address of the family, scanning from the start; undefined when full. */
  allocate(family: Family): bigint | undefined {
    for (const r of this.ranges) {
      if (r.family !== family) continue;
      for (let v = r.first; v <= r.last; v++) {
        if (this.avoidBuggyIps && family === 'ipv4' && ((v & 255n) === 0n || (v & 255n) === 255n)) continue;
        const used = this.used[family];
        if (used.has(v)) continue;
        used.add(v);
        return v;
      }
    }
    return undefined;
  }

  /** Allocation with the address turned into text, as the real allocator hands it out. */
  allocateText(family: Family): string | undefined {
    const v = this.allocate(family);
    return v === undefined ? undefined : formatIp(family, v);
  }

  release(family: Family, value: bigint): void {
    this.used[family].delete(value);
  }
}
