import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countBuggyIps, isBuggyIp } from '../../../src/allocator/buggy-ips.ts';
import { FreeAddresses, mergeSegments, type Segment } from '../../../src/allocator/free-addresses.ts';
import { BigIntMinHeap } from '../../../src/allocator/min-heap.ts';

describe('countBuggyIps', () => {
  it('equals a brute-force count on random IPv4 ranges', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 5000n }), fc.bigInt({ min: 0n, max: 1200n }), (first, len) => {
        let brute = 0n;
        for (let v = first; v <= first + len; v++) if (isBuggyIp('ipv4', v)) brute++;
        expect(countBuggyIps('ipv4', first, first + len)).toBe(brute);
      }),
      { numRuns: 200 },
    );
  });
  it('is 2 per /24 for a /16 and 0 for IPv6', () => {
    expect(countBuggyIps('ipv4', 0xc6330000n, 0xc633ffffn)).toBe(512n);
    expect(countBuggyIps('ipv6', 0n, 1000n)).toBe(0n);
  });
});

describe('mergeSegments', () => {
  it('sorts, merges overlapping and adjacent ranges, drops empty ones', () => {
    expect(
      mergeSegments([
        { first: 10n, last: 12n },
        { first: 1n, last: 3n },
        { first: 4n, last: 5n },
        { first: 11n, last: 20n },
        { first: 30n, last: 29n },
      ]),
    ).toEqual([
      { first: 1n, last: 5n },
      { first: 10n, last: 20n },
    ]);
  });
});

describe('BigIntMinHeap', () => {
  it('pops in ascending order', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -100n, max: 100n }), { maxLength: 60 }), (xs) => {
        const h = new BigIntMinHeap();
        for (const x of xs) h.push(x);
        const out: bigint[] = [];
        while (h.size > 0) out.push(h.pop() as bigint);
        expect(out).toEqual([...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }),
    );
  });
});

/** The brute-force model: lowest address in the segments, not taken, not buggy when avoided. */
function bruteLowest(segs: Segment[], avoid: boolean, taken: Set<bigint>): bigint | undefined {
  for (const s of segs)
    for (let v = s.first; v <= s.last; v++) if (!taken.has(v) && !(avoid && isBuggyIp('ipv4', v))) return v;
  return undefined;
}

describe('FreeAddresses', () => {
  const segmentsArb = fc
    .array(fc.record({ first: fc.bigInt({ min: 200n, max: 800n }), len: fc.bigInt({ min: 0n, max: 70n }) }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((rs) => mergeSegments(rs.map((r) => ({ first: r.first, last: r.first + r.len }))));
  const opArb = fc.oneof(
    fc.constant({ op: 'takeLowest' as const }),
    fc.record({ op: fc.constant('takeExact' as const), at: fc.bigInt({ min: 190n, max: 900n }) }),
    fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
  );

  it('lowestFree always equals the brute-force lowest free address, through takes and releases', () => {
    fc.assert(
      fc.property(segmentsArb, fc.boolean(), fc.array(opArb, { maxLength: 120 }), (segs, avoid, ops) => {
        const taken = new Set<bigint>();
        const free = new FreeAddresses('ipv4', segs, avoid, (v) => taken.has(v));
        for (const o of ops) {
          if (o.op === 'takeLowest') {
            const v = free.lowestFree();
            expect(v).toBe(bruteLowest(segs, avoid, taken));
            if (v !== undefined) taken.add(v);
          } else if (o.op === 'takeExact') {
            if (free.allows(o.at)) taken.add(o.at);
          } else if (taken.size > 0) {
            const list = [...taken];
            const v = list[o.pick % list.length] as bigint;
            taken.delete(v);
            free.release(v);
          }
          expect(free.lowestFree()).toBe(bruteLowest(segs, avoid, taken));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('capacity counts addresses minus buggy ones', () => {
    const f = new FreeAddresses('ipv4', [{ first: 0xc6336400n, last: 0xc63364ffn }], true, () => false);
    expect(f.capacity).toBe(254n);
    expect(f.lowestFree()).toBe(0xc6336401n);
  });

  it('a /64 is never materialised: capacity 2^64, first address at once, the end reachable', () => {
    const base = 0x20010db8000000000000000000000000n;
    const last = base + (1n << 64n) - 1n;
    const taken = new Set<bigint>([base, base + 1n]);
    const f = new FreeAddresses('ipv6', [{ first: base, last }], true, (v) => taken.has(v));
    expect(f.capacity).toBe(1n << 64n);
    expect(f.lowestFree()).toBe(base + 2n);
    expect(f.allows(last)).toBe(true);
    expect(f.allows(last + 1n)).toBe(false);
  });
});
