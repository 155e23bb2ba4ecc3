// Decoding hex vectors: hand-built ones laid out octet by octet after the RFC figures (RFC 4271 §4,
// RFC 4760 §3-4, RFC 2545 §3, RFC 4724 §2-3, RFC 6793 §3, RFC 9003 §2, RFC 2918 §3) with documentation
// addresses, and captured ones from real routers / feeds (marked). Canonical vectors must also encode back
// to the same octets.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, endOfRibFamily, fromHex, hex } from '../../../../src/bgp/codec/index.ts';
import type { BgpMessage, CodecContext } from '../../../../src/bgp/codec/model.ts';
import { CTX2, CTX4, ip, pfx } from './fixtures.ts';

const M = 'ffffffffffffffffffffffffffffffff';

interface Vector {
  name: string;
  hex: string;
  ctx: CodecContext;
  expect: BgpMessage;
  /** Encoding the decoded value gives back the same octets. */
  canonical: boolean;
}

const VECTORS: Vector[] = [
  { name: 'KEEPALIVE', hex: `${M} 0013 04`, ctx: CTX4, expect: { type: 'KEEPALIVE' }, canonical: true },
  {
    name: 'OPEN AS 64500, hold 180, id 192.0.2.1, MP IPv4 unicast + route refresh + 4-octet AS',
    hex: `${M} 002d 01 04 fbf4 00b4 c0000201 10 02 0e 01 04 0001 00 01 02 00 41 04 0000fbf4`,
    ctx: CTX2,
    expect: {
      type: 'OPEN',
      version: 4,
      myAsn: 64500,
      holdTime: 180,
      bgpId: 0xc0000201,
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'ROUTE_REFRESH' },
        { type: 'FOUR_OCTET_AS', asn: 64500 },
      ],
    },
    canonical: true,
  },
  {
    name: 'OPEN AS_TRANS with 4-octet AS 4200000000 and graceful restart (R, 120 s, IPv4 unicast F)',
    hex: `${M} 002d 01 04 5ba0 005a c6336401 10 02 0e 41 04 fa56ea00 40 06 8078 0001 01 80`,
    ctx: CTX2,
    expect: {
      type: 'OPEN',
      version: 4,
      myAsn: 23456,
      holdTime: 90,
      bgpId: 0xc6336401,
      capabilities: [
        { type: 'FOUR_OCTET_AS', asn: 4200000000 },
        {
          type: 'GRACEFUL_RESTART',
          restartState: true,
          notification: false,
          restartTime: 120,
          families: [{ afi: 1, safi: 1, forwardingState: true }],
        },
      ],
    },
    canonical: true,
  },
  // Router OPENs as captured in a public BGP library's test data: one capability per optional parameter,
  // Cisco's pre-standard route refresh (128) and ORF (130) capabilities kept raw.
  {
    name: 'captured OPEN, AS 35: MP IPv4 unicast, route refresh 128 + 2, ORF 130, one capability per parameter',
    hex: `${M} 0038 0104 0023 00b4 1919 1901 1b02 0601 0400 0100 0102 0280 0002 0202 0002 0982 0700 0100 0101 8002`,
    ctx: CTX2,
    expect: {
      type: 'OPEN',
      version: 4,
      myAsn: 35,
      holdTime: 180,
      bgpId: 0x19191901,
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'UNKNOWN', code: 128, data: new Uint8Array(0) },
        { type: 'ROUTE_REFRESH' },
        { type: 'UNKNOWN', code: 130, data: fromHex('00010001018002') },
      ],
    },
    canonical: false, // re-encoded with all capabilities in one parameter
  },
  {
    name: 'captured OPEN, AS 100: MP IPv4 unicast + multicast, route refresh 128 + 2, 4-octet AS 100',
    hex: `${M} 003d 0104 0064 00b4 02020202 20 0206 0104 0001 0001 0206 0104 0001 0002 0202 8000 0202 0200 0206 4104 00000064`,
    ctx: CTX2,
    expect: {
      type: 'OPEN',
      version: 4,
      myAsn: 100,
      holdTime: 180,
      bgpId: 0x02020202,
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'MULTIPROTOCOL', afi: 1, safi: 2 },
        { type: 'UNKNOWN', code: 128, data: new Uint8Array(0) },
        { type: 'ROUTE_REFRESH' },
        { type: 'FOUR_OCTET_AS', asn: 100 },
      ],
    },
    canonical: false,
  },
  // A live-feed UPDATE as published in a BGPmon XML sample (OCTET_MESSAGE, 4-octet AS session).
  {
    name: 'captured UPDATE: AS path 6360 4323 1239 209 16608, NO_EXPORT, 64.187.64.0/23 and /24',
    hex: `${M} 004A 02 0000 002B 400101 02 400216 0205 000018D8 000010E3 000004D7 000000D1 000040E0 400304 CDA6CDCA C00804 FFFFFF01 17 40BB40 18 40BB40`,
    ctx: CTX4,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'INCOMPLETE' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [6360, 4323, 1239, 209, 16608] }] },
        { type: 'NEXT_HOP', nextHop: ip('205.166.205.202') },
        { type: 'COMMUNITIES', communities: [0xffffff01] },
      ],
      nlri: [pfx('64.187.64.0/23'), pfx('64.187.64.0/24')],
    },
    canonical: true,
  },
  // From a public BGP library's test data (4-octet AS session).
  {
    name: 'captured UPDATE: AS path 200 100, communities 311:59 1311:1 2805:64, three prefixes',
    hex: `${M} 004a 02 0000 0027 400101 00 40020a 0202 000000c8 00000064 400304 28000101 c0080c 0137003b 051f0001 0af50040 11 4d0000 12 4e0000 13 4f0000`,
    ctx: CTX4,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [200, 100] }] },
        { type: 'NEXT_HOP', nextHop: ip('40.0.1.1') },
        { type: 'COMMUNITIES', communities: [311 * 65536 + 59, 1311 * 65536 + 1, 2805 * 65536 + 64] },
      ],
      nlri: [pfx('77.0.0.0/17'), pfx('78.0.0.0/18'), pfx('79.0.0.0/19')],
    },
    canonical: true,
  },
  {
    name: 'UPDATE IPv4: ORIGIN, AS_PATH (4-octet), NEXT_HOP, MED, COMMUNITIES; NLRI 192.0.2.0/24, 203.0.113.5/32',
    hex: `${M} 0046 02 0000 0026 40 01 01 00 40 02 06 02 01 0000fbf4 40 03 04 c6336401 80 04 04 00000064 c0 08 08 fbf40064 ffffff01 18 c00002 20 cb007105`,
    ctx: CTX4,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500] }] },
        { type: 'NEXT_HOP', nextHop: ip('198.51.100.1') },
        { type: 'MULTI_EXIT_DISC', med: 100 },
        { type: 'COMMUNITIES', communities: [0xfbf40064, 0xffffff01] },
      ],
      nlri: [pfx('192.0.2.0/24'), pfx('203.0.113.5/32')],
    },
    canonical: true,
  },
  {
    name: 'UPDATE IPv6: MP_REACH_NLRI with global + link-local next hop, 2001:db8:1::/64',
    hex: `${M} 004f 02 0000 0038 80 0e 2e 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 40 20010db800010000 40 01 01 00 40 02 00`,
    ctx: CTX4,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        {
          type: 'MP_REACH_NLRI',
          family: 'ipv6',
          safi: 1,
          nextHop: ip('2001:db8::1'),
          linkLocalNextHop: ip('fe80::1'),
          nlri: [pfx('2001:db8:1::/64')],
        },
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [] },
      ],
      nlri: [],
    },
    canonical: true,
  },
  {
    name: 'UPDATE End-of-RIB IPv6 unicast (RFC 4724 §2)',
    hex: `${M} 001d 02 0000 0006 80 0f 03 0002 01`,
    ctx: CTX4,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [{ type: 'MP_UNREACH_NLRI', family: 'ipv6', safi: 1, withdrawn: [] }],
      nlri: [],
    },
    canonical: true,
  },
  {
    name: 'UPDATE End-of-RIB IPv4 unicast',
    hex: `${M} 0017 02 0000 0000`,
    ctx: CTX4,
    expect: { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] },
    canonical: true,
  },
  {
    name: 'UPDATE withdrawing 192.0.2.0/24',
    hex: `${M} 001b 02 0004 18 c00002 0000`,
    ctx: CTX4,
    expect: { type: 'UPDATE', withdrawn: [pfx('192.0.2.0/24')], attributes: [], nlri: [] },
    canonical: true,
  },
  {
    name: 'UPDATE from a 2-octet peer: AS_PATH 64500 AS_TRANS + AS4_PATH 64500 4200000000 (RFC 6793 merge)',
    hex: `${M} 003c 02 0000 0021 40 01 01 00 40 02 06 02 02 fbf4 5ba0 c0 11 0a 02 02 0000fbf4 fa56ea00 40 03 04 c0000201 18 c63364`,
    ctx: CTX2,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500, 4200000000] }] },
        { type: 'NEXT_HOP', nextHop: ip('192.0.2.1') },
      ],
      nlri: [pfx('198.51.100.0/24')],
    },
    canonical: false, // re-encoding puts AS4_PATH after NEXT_HOP (ascending type code)
  },
  {
    name: 'UPDATE with an Extended Length ORIGIN and a default route',
    hex: `${M} 0027 02 0000 000f 50 01 0001 02 40 02 00 40 03 04 c0000201 00`,
    ctx: CTX4,
    expect: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'INCOMPLETE' },
        { type: 'AS_PATH', segments: [] },
        { type: 'NEXT_HOP', nextHop: ip('192.0.2.1') },
      ],
      nlri: [pfx('0.0.0.0/0')],
    },
    canonical: false,
  },
  {
    name: 'NOTIFICATION Cease/Administrative Shutdown "hello" (RFC 9003)',
    hex: `${M} 001b 03 06 02 05 68656c6c6f`,
    ctx: CTX4,
    expect: {
      type: 'NOTIFICATION',
      code: 6,
      subcode: 2,
      data: fromHex('0568656c6c6f'),
      shutdownCommunication: 'hello',
    },
    canonical: true,
  },
  {
    name: 'NOTIFICATION Cease/Administrative Shutdown with invalid UTF-8 (kept as data only)',
    hex: `${M} 0018 03 06 02 02 c328`,
    ctx: CTX4,
    expect: { type: 'NOTIFICATION', code: 6, subcode: 2, data: fromHex('02c328') },
    canonical: true,
  },
  {
    name: 'ROUTE-REFRESH IPv6 unicast',
    hex: `${M} 0017 05 0002 00 01`,
    ctx: CTX4,
    expect: { type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype: 0 },
    canonical: true,
  },
];

describe('hex vectors', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const bytes = fromHex(v.hex);
    const { value, bytesRead } = decodeMessage(bytes, 0, v.ctx);
    expect(bytesRead).toBe(bytes.length);
    expect(value).toEqual(v.expect);
    const again = encodeMessage(value, v.ctx);
    if (v.canonical) expect(hex(again)).toBe(hex(bytes));
    expect(decodeMessage(again, 0, v.ctx).value).toEqual(v.expect);
  });

  it('recognizes End-of-RIB markers', () => {
    const v6 = decodeMessage(fromHex(`${M} 001d 02 0000 0006 80 0f 03 0002 01`), 0, CTX4).value;
    const v4 = decodeMessage(fromHex(`${M} 0017 02 0000 0000`), 0, CTX4).value;
    const notEor = decodeMessage(fromHex(`${M} 001b 02 0004 18 c00002 0000`), 0, CTX4).value;
    expect(v6.type === 'UPDATE' && endOfRibFamily(v6)).toBe('ipv6');
    expect(v4.type === 'UPDATE' && endOfRibFamily(v4)).toBe('ipv4');
    expect(notEor.type === 'UPDATE' && endOfRibFamily(notEor)).toBeUndefined();
  });

  it('decodes a message at a non-zero offset in a stream buffer', () => {
    const bytes = fromHex(`00 00 ${M} 0013 04 ${M} 0017 05 0002 00 01`);
    const first = decodeMessage(bytes, 2, CTX4);
    expect(first).toEqual({ value: { type: 'KEEPALIVE' }, bytesRead: 19 });
    expect(decodeMessage(bytes, 21, CTX4).value).toEqual({ type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype: 0 });
  });
});
