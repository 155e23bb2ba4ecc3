import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../../../src/bgp/routes.ts';
import { prefixKey, sameAttributes } from '../../../../src/bgp/routes.ts';
import { diffRib, toRib } from '../../../../src/bgp/session/adj-rib-out.ts';

const routeArb: fc.Arbitrary<Route> = fc
  .record({
    host: fc.integer({ min: 0, max: 15 }),
    localPref: fc.option(fc.constantFrom(100, 200), { nil: undefined }),
    communities: fc.uniqueArray(fc.constantFrom(1, 2, 3), { maxLength: 2 }).map((c) => c.sort()),
    nextHop: fc.constantFrom('198.51.100.1', '198.51.100.2'),
  })
  .map(({ host, localPref, communities, nextHop }) => ({
    prefix: { family: 'ipv4' as const, prefix: 0xcb007100n + BigInt(host), length: 32 },
    nextHop,
    ...(localPref !== undefined ? { localPref } : {}),
    communities,
    largeCommunities: [],
    origin: 'igp' as const,
  }));

describe('diffRib', () => {
  it('applying the diff to what was advertised gives exactly what is desired, sending nothing unchanged', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 16 }), fc.array(routeArb, { maxLength: 16 }), (before, after) => {
        const advertised = toRib(before);
        const desired = toRib(after);
        const { announce, withdraw } = diffRib(advertised, desired);
        const peer = new Map(advertised);
        for (const p of withdraw) peer.delete(prefixKey(p));
        for (const r of announce) peer.set(prefixKey(r.prefix), r); // implicit withdraw of the old path
        expect([...peer.keys()].sort()).toEqual([...desired.keys()].sort());
        for (const [k, r] of desired) expect(sameAttributes(peer.get(k) as Route, r)).toBe(true);
        for (const r of announce) {
          const old = advertised.get(prefixKey(r.prefix));
          expect(old !== undefined && sameAttributes(old, r)).toBe(false);
        }
        for (const p of withdraw) expect(desired.has(prefixKey(p))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
