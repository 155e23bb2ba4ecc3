// Property-based round trips (fast-check): random valid messages encode → decode to the same value, in a
// 4-octet AS session exactly and towards a 2-octet peer up to joining adjacent AS_SEQUENCE segments
// (the RFC 6793 merge returns the joined form).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../src/bgp/codec/index.ts';
import type {
  AsPathSegment,
  BgpMessage,
  CodecContext,
  PathAttribute,
  Prefix,
  Update,
} from '../../../../src/bgp/codec/index.ts';
import { CTX2, CTX4 } from './fixtures.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const asn = fc.oneof(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 1, max: 0xffffffff }));

const v4Prefix: fc.Arbitrary<Prefix> = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([v, length]) => {
  const host = 2 ** (32 - length);
  return { family: 'ipv4', prefix: BigInt(Math.floor(v / host) * host), length };
});
const v6Prefix: fc.Arbitrary<Prefix> = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
  .map(([v, length]) => {
    const host = BigInt(128 - length);
    return { family: 'ipv6', prefix: (v >> host) << host, length };
  });
const v6Addr = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const unicastV4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 0xffffff }))
  .filter(([a]) => a !== 127)
  .map(([a, rest]) => BigInt(a * 2 ** 24 + rest));

const segment = (confed: boolean): fc.Arbitrary<AsPathSegment> =>
  fc.record({
    type: confed
      ? fc.constantFrom(
          'AS_SET' as const,
          'AS_SEQUENCE' as const,
          'AS_CONFED_SEQUENCE' as const,
          'AS_CONFED_SET' as const,
        )
      : fc.constantFrom('AS_SET' as const, 'AS_SEQUENCE' as const),
    asns: fc.array(asn, { minLength: 1, maxLength: 8 }),
  });

/** Confederation segments first (RFC 5065), as paths are built. */
const asPath = fc
  .tuple(
    fc.array(
      segment(true).filter((s) => s.type.startsWith('AS_CONFED')),
      { maxLength: 1 },
    ),
    fc.array(segment(false), { maxLength: 3 }),
  )
  .map(([c, p]) => [...c, ...p]);

const largeCommunities = fc
  .uniqueArray(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 4, selector: (t) => t.join(':') })
  .map((ts) => ts.map(([globalAdmin, localData1, localData2]) => ({ globalAdmin, localData1, localData2 })));

const update: fc.Arbitrary<Update> = fc
  .record({
    withdrawn: fc.array(v4Prefix, { maxLength: 6 }),
    nlri: fc.array(v4Prefix, { maxLength: 6 }),
    mpReach: fc.option(
      fc.record({
        nextHop: v6Addr,
        ll: fc.option(v6Addr, { nil: undefined }),
        nlri: fc.array(v6Prefix, { maxLength: 5 }),
      }),
      { nil: undefined },
    ),
    mpUnreach: fc.option(fc.array(v6Prefix, { maxLength: 5 }), { nil: undefined }),
    origin: fc.option(fc.constantFrom('IGP' as const, 'EGP' as const, 'INCOMPLETE' as const), { nil: undefined }),
    path: fc.option(asPath, { nil: undefined }),
    nextHop: fc.option(unicastV4, { nil: undefined }),
    med: fc.option(u32, { nil: undefined }),
    localPref: fc.option(u32, { nil: undefined }),
    atomic: fc.boolean(),
    aggregator: fc.option(fc.tuple(asn, u32), { nil: undefined }),
    communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 6 }), { nil: undefined }),
    large: fc.option(largeCommunities, { nil: undefined }),
    unknown: fc.option(
      fc.record({
        code: fc.integer({ min: 100, max: 250 }),
        flags: fc.constantFrom(0x80, 0xc0, 0xe0),
        data: fc.uint8Array({ maxLength: 12 }),
      }),
      { nil: undefined },
    ),
  })
  .map((r) => {
    const attributes: PathAttribute[] = [];
    if (r.mpReach) {
      attributes.push({
        type: 'MP_REACH_NLRI',
        family: 'ipv6',
        safi: 1,
        nextHop: r.mpReach.nextHop,
        ...(r.mpReach.ll === undefined ? {} : { linkLocalNextHop: r.mpReach.ll }),
        nlri: r.mpReach.nlri,
      });
    }
    if (r.mpUnreach) attributes.push({ type: 'MP_UNREACH_NLRI', family: 'ipv6', safi: 1, withdrawn: r.mpUnreach });
    // NLRI needs ORIGIN and AS_PATH (and NEXT_HOP for the IPv4 field), else decode reports 3/3.
    const reach = r.nlri.length > 0 || (r.mpReach?.nlri.length ?? 0) > 0;
    const origin = r.origin ?? (reach ? 'IGP' : undefined);
    const path = r.path ?? (reach ? [] : undefined);
    const nextHop = r.nextHop ?? (r.nlri.length > 0 ? 0xc0000201n : undefined);
    if (origin) attributes.push({ type: 'ORIGIN', origin });
    if (path) attributes.push({ type: 'AS_PATH', segments: path });
    if (nextHop !== undefined) attributes.push({ type: 'NEXT_HOP', nextHop });
    if (r.med !== undefined) attributes.push({ type: 'MULTI_EXIT_DISC', med: r.med });
    if (r.localPref !== undefined) attributes.push({ type: 'LOCAL_PREF', localPref: r.localPref });
    if (r.atomic) attributes.push({ type: 'ATOMIC_AGGREGATE' });
    if (r.aggregator) attributes.push({ type: 'AGGREGATOR', asn: r.aggregator[0], address: BigInt(r.aggregator[1]) });
    if (r.communities) attributes.push({ type: 'COMMUNITIES', communities: r.communities });
    if (r.large) attributes.push({ type: 'LARGE_COMMUNITIES', communities: r.large });
    if (r.unknown) attributes.push({ type: 'UNKNOWN', ...r.unknown });
    return { type: 'UPDATE', withdrawn: r.withdrawn, attributes, nlri: r.nlri };
  });

const open: fc.Arbitrary<BgpMessage> = fc.record({
  type: fc.constant('OPEN' as const),
  version: fc.constant(4),
  myAsn: fc.integer({ min: 1, max: 0xffff }),
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpId: fc.integer({ min: 1, max: 0xffffffff }),
  capabilities: fc.array(
    fc.oneof(
      fc.record({
        type: fc.constant('MULTIPROTOCOL' as const),
        afi: fc.integer({ min: 0, max: 0xffff }),
        safi: fc.integer({ min: 0, max: 255 }),
      }),
      fc.constant({ type: 'ROUTE_REFRESH' as const }),
      fc.record({ type: fc.constant('FOUR_OCTET_AS' as const), asn: fc.integer({ min: 1, max: 0xffffffff }) }),
      fc.record({
        type: fc.constant('GRACEFUL_RESTART' as const),
        restartState: fc.boolean(),
        notification: fc.boolean(),
        restartTime: fc.integer({ min: 0, max: 4095 }),
        families: fc.array(
          fc.record({
            afi: fc.integer({ min: 0, max: 0xffff }),
            safi: fc.integer({ min: 0, max: 255 }),
            forwardingState: fc.boolean(),
          }),
          { maxLength: 3 },
        ),
      }),
      fc.record({
        type: fc.constant('UNKNOWN' as const),
        code: fc.constantFrom(5, 6, 69, 71, 73, 128, 200),
        data: fc.uint8Array({ maxLength: 60 }),
      }),
    ),
    { maxLength: 12 },
  ),
});

const notification: fc.Arbitrary<BgpMessage> = fc.oneof(
  fc.record({
    type: fc.constant('NOTIFICATION' as const),
    code: fc.integer({ min: 1, max: 5 }),
    subcode: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 40 }),
  }),
  fc
    .string({ maxLength: 40 })
    .filter((s) => new TextEncoder().encode(s).length <= 255)
    .map((text) => {
      const t = new TextEncoder().encode(text);
      return {
        type: 'NOTIFICATION' as const,
        code: 6,
        subcode: 2,
        data: new Uint8Array([t.length, ...t]),
        shutdownCommunication: text,
      };
    }),
);

const routeRefresh: fc.Arbitrary<BgpMessage> = fc.record({
  type: fc.constant('ROUTE-REFRESH' as const),
  afi: fc.integer({ min: 0, max: 0xffff }),
  safi: fc.integer({ min: 0, max: 255 }),
  subtype: fc.constantFrom(0, 1, 2),
});

function roundTrip(msg: BgpMessage, ctx: CodecContext): BgpMessage {
  const bytes = encodeMessage(msg, ctx);
  const { value, bytesRead } = decodeMessage(bytes, 0, ctx);
  expect(bytesRead).toBe(bytes.length);
  return value;
}

/** Joins adjacent AS_SEQUENCE segments (up to 255 ASNs), as the RFC 6793 merge does. */
function joined(segments: readonly AsPathSegment[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (const s of segments) {
    const last = out.at(-1);
    if (last && last.type === 'AS_SEQUENCE' && s.type === 'AS_SEQUENCE' && last.asns.length + s.asns.length <= 255) {
      out[out.length - 1] = { type: 'AS_SEQUENCE', asns: [...last.asns, ...s.asns] };
    } else {
      out.push(s);
    }
  }
  return out;
}

function normalizeFor2Octet(u: Update): Update {
  return {
    ...u,
    attributes: u.attributes.map((a) => {
      if (a.type !== 'AS_PATH') return a;
      // Confederation members travel only in the 2-octet AS_PATH (AS_TRANS when large).
      const segments = a.segments.map((s) =>
        s.type === 'AS_CONFED_SEQUENCE' || s.type === 'AS_CONFED_SET'
          ? { ...s, asns: s.asns.map((x) => (x > 0xffff ? 23456 : x)) }
          : s,
      );
      return { type: 'AS_PATH', segments: joined(segments) };
    }),
  };
}

describe('property round trips', () => {
  it('UPDATE, 4-octet AS session: exact', () => {
    fc.assert(
      fc.property(update, (u) => {
        expect(roundTrip(u, CTX4)).toEqual(u);
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('UPDATE to a 2-octet peer: same path (joined sequences), AS4_* merged back', () => {
    fc.assert(
      fc.property(update, (u) => {
        const back = roundTrip(u, CTX2) as Update;
        expect(normalizeFor2Octet(back)).toEqual(normalizeFor2Octet(u));
      }),
      { numRuns: 400, seed: 43 },
    );
  });

  it('OPEN, NOTIFICATION, ROUTE-REFRESH: exact', () => {
    fc.assert(
      fc.property(fc.oneof(open, notification, routeRefresh), (m) => {
        expect(roundTrip(m, CTX4)).toEqual(m);
      }),
      { numRuns: 400, seed: 44 },
    );
  });
});
