// The free addresses of one pool and one family, found without scanning from the start of the range.
//
// The pool's ranges are merged into sorted disjoint segments. A cursor walks them once, forwards only:
// every address at or after the cursor is free unless the allocator's address table says it is taken
// (explicitly requested or restored addresses can lie ahead of the cursor; the cursor steps over them,
// each at most once). Every free address BEFORE the cursor is in a min-heap (it got there when it was
// released). The lowest free address is min(heap top, cursor), as in MetalLB's scan from the start,
// but found in O(log n) (amortised: heap entries made stale by an explicit take are dropped lazily).
// avoid-buggy-ips is applied by stepping over .0/.255 arithmetically. Nothing is materialised, so a
// /64 IPv6 pool costs the same as a /30.
import type { Family } from '../net/family.ts';
import { countBuggyIps, isBuggyIp } from './buggy-ips.ts';
import { BigIntMinHeap } from './min-heap.ts';

export interface Segment {
  first: bigint;
  last: bigint;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeSegments(ranges: readonly Segment[]): Segment[] {
  const sorted = ranges
    .filter((r) => r.first <= r.last)
    .map((r) => ({ first: r.first, last: r.last }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Segment[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1n) {
      if (r.last > prev.last) prev.last = r.last;
    } else {
      out.push(r);
    }
  }
  return out;
}

export class FreeAddresses {
  readonly family: Family;
  readonly segments: readonly Segment[];
  readonly avoidBuggyIps: boolean;
  /** Number of addresses this structure may ever hand out (buggy ones excluded). */
  readonly capacity: bigint;
  private readonly isTaken: (value: bigint) => boolean;
  private readonly released = new BigIntMinHeap();
  private segmentIndex = 0;
  private cursor: bigint;

  constructor(
    family: Family,
    segments: readonly Segment[],
    avoidBuggyIps: boolean,
    isTaken: (value: bigint) => boolean,
  ) {
    this.family = family;
    this.segments = segments;
    this.avoidBuggyIps = avoidBuggyIps && family === 'ipv4';
    this.isTaken = isTaken;
    this.cursor = segments[0]?.first ?? 0n;
    let capacity = 0n;
    for (const s of segments) {
      capacity += s.last - s.first + 1n;
      if (this.avoidBuggyIps) capacity -= countBuggyIps(family, s.first, s.last);
    }
    this.capacity = capacity;
  }

  /** Whether the address lies in a segment (buggy or not). */
  contains(value: bigint): boolean {
    for (const s of this.segments) {
      if (value < s.first) return false;
      if (value <= s.last) return true;
    }
    return false;
  }

  /** Whether this pool may hand out the address at all: inside a segment and not a buggy IP. */
  allows(value: bigint): boolean {
    return this.contains(value) && !(this.avoidBuggyIps && isBuggyIp(this.family, value));
  }

  /**
   * The lowest free address, or undefined when the pool is full. Does not take it: the caller records
   * it in the address table, after which isTaken(value) is true and the next call moves past it.
   */
  lowestFree(): bigint | undefined {
    const heap = this.released;
    while (heap.size > 0 && this.isTaken(heap.peek() as bigint)) heap.pop();
    const fromHeap = heap.peek();
    const fromCursor = this.advance();
    if (fromHeap === undefined) return fromCursor;
    if (fromCursor === undefined) return fromHeap;
    return fromHeap < fromCursor ? fromHeap : fromCursor;
  }

  /** The address became free (its last holder left). */
  release(value: bigint): void {
    if (!this.allows(value)) return;
    if (this.segmentIndex >= this.segments.length || value < this.cursor) this.released.push(value);
    // At or after the cursor nothing to do: the cursor will find it free.
  }

  /** Moves the cursor to the next free, allowed address at or after it; undefined when past the end. */
  private advance(): bigint | undefined {
    const segs = this.segments;
    while (this.segmentIndex < segs.length) {
      const seg = segs[this.segmentIndex] as Segment;
      let v = this.cursor;
      if (v > seg.last) {
        this.segmentIndex++;
        const next = segs[this.segmentIndex];
        if (next) this.cursor = next.first;
        continue;
      }
      if (this.avoidBuggyIps) {
        const low = v & 255n;
        if (low === 0n) v += 1n;
        else if (low === 255n) v += 2n;
        if (v !== this.cursor) {
          this.cursor = v;
          continue;
        }
      }
      if (this.isTaken(v)) {
        this.cursor = v + 1n;
        continue;
      }
      return v;
    }
    return undefined;
  }
}
