// encodeRoutes shares one codec attribute list between routes with equal attributes, and packUpdates
// groups by that list's identity: the UPDATEs must be byte for byte those of one list per route.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packUpdates } from '../../../../src/bgp/codec/index.ts';
import type { Route } from '../../../../src/bgp/routes.ts';
import { encodeRoutes, toCodecRoutes } from '../../../../src/bgp/session/encode-routes.ts';
import { toCodecRoute } from '../../../../src/bgp/session/wire.ts';
import { parseIp } from '../../../../src/net/ip.ts';

const CTX = { fourOctetAs: true };
const EBGP = { localAsn: 64512, ibgp: false };
const IBGP = { localAsn: 64512, ibgp: true };

const routeArb: fc.Arbitrary<Route> = fc
  .record({
    v6: fc.boolean(),
    host: fc.integer({ min: 0, max: 4000 }),
    nh: fc.integer({ min: 1, max: 3 }),
    ll: fc.boolean(),
    localPref: fc.option(fc.constantFrom(100, 200), { nil: undefined }),
    med: fc.option(fc.constantFrom(0, 10), { nil: undefined }),
    communities: fc
      .uniqueArray(fc.constantFrom(1, 2, 0xffff0001), { maxLength: 2 })
      .map((c) => c.sort((a, b) => a - b)),
  })
  .map(({ v6, host, nh, ll, localPref, med, communities }) => ({
    prefix: v6
      ? { family: 'ipv6' as const, prefix: parseIp('2001:db8:100::')!.value + BigInt(host), length: 128 }
      : { family: 'ipv4' as const, prefix: parseIp('198.51.100.0')!.value + BigInt(host % 256), length: 32 },
    nextHop: v6 ? `2001:db8::${nh}` : `192.0.2.${nh}`,
    ...(v6 && ll ? { nextHopLinkLocal: 'fe80::1' } : {}),
    ...(localPref !== undefined ? { localPref } : {}),
    ...(med !== undefined ? { med } : {}),
    communities,
    largeCommunities: [],
    origin: 'igp' as const,
  }));

function unshared(routes: Route[], kind: typeof EBGP): ReturnType<typeof toCodecRoute>[] {
  return routes.map((r) =>
    toCodecRoute(
      r,
      parseIp(r.nextHop!)!.value,
      r.nextHopLinkLocal ? parseIp(r.nextHopLinkLocal)!.value : undefined,
      kind,
    ),
  );
}

const concat = (ms: Uint8Array[]): number[] => ms.flatMap((m) => [...m]);

describe('encodeRoutes', () => {
  it('gives the same UPDATEs as one attribute list per route (runs of equal routes, any order)', () => {
    fc.assert(
      fc.property(
        // Runs of equal routes (as a sorted table has) and random mixes.
        fc.array(fc.tuple(routeArb, fc.integer({ min: 1, max: 300 })), { maxLength: 6 }),
        fc.boolean(),
        (runs, ibgp) => {
          let host = 0n;
          const routes = runs.flatMap(([r, n]) =>
            Array.from({ length: n }, () => ({
              ...r,
              prefix: { ...r.prefix, prefix: r.prefix.prefix + host++ * 4096n },
            })),
          );
          const kind = ibgp ? IBGP : EBGP;
          const got = encodeRoutes(routes, [], kind, CTX, parseIp);
          const want = packUpdates(unshared(routes, kind), [], CTX);
          expect(concat(got)).toEqual(concat(want));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('shares one attribute list along a run of equal routes, not across families or attributes', () => {
    const base = { communities: [], largeCommunities: [], origin: 'igp' as const };
    const v4 = (h: number, over: Partial<Route> = {}): Route => ({
      prefix: { family: 'ipv4', prefix: 0xc6336400n + BigInt(h), length: 32 },
      nextHop: '192.0.2.1',
      ...base,
      ...over,
    });
    const v6: Route = {
      prefix: { family: 'ipv6', prefix: 0x20010db8n << 96n, length: 128 },
      nextHop: '2001:db8::1',
      nextHopLinkLocal: 'fe80::1',
      ...base,
    };
    const c = toCodecRoutes([v4(1), v4(2), v4(3, { localPref: 200 }), v6, v4(4)], IBGP, parseIp);
    expect(c[1]!.attributes).toBe(c[0]!.attributes);
    expect(c[2]!.attributes).not.toBe(c[1]!.attributes);
    expect(c[3]!.linkLocalNextHop).toBe(parseIp('fe80::1')!.value);
    expect(c[4]!.linkLocalNextHop).toBeUndefined();
    expect(c.map((r) => r.prefix)).toEqual([v4(1), v4(2), v4(3), v6, v4(4)].map((r) => r.prefix));
  });
});
