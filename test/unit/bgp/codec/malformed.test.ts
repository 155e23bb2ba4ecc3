// Malformed inputs, each asserting the exact BgpError code/subcode and RFC 7606 handling: session-reset
// errors are thrown by decodeMessage; weaker ones are reported on the decoded Update.
import { describe, expect, it } from 'vitest';
import { BgpError, decodeMessage, fromHex, frameLength } from '../../../../src/bgp/codec/index.ts';
import type { CodecContext, ErrorHandling, Update } from '../../../../src/bgp/codec/index.ts';
import { CTX2, CTX4 } from './fixtures.ts';

const M = 'ffffffffffffffffffffffffffffffff';

function msg(type: number, bodyHex: string): string {
  const body = bodyHex.replace(/\s/g, '');
  const len = 19 + body.length / 2;
  return `${M}${len.toString(16).padStart(4, '0')}${type.toString(16).padStart(2, '0')}${body}`;
}

function h16(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** An UPDATE from attribute, NLRI and withdrawn hex, with the length fields computed. */
function update(attrs: string, nlri = '18c00002', withdrawn = ''): string {
  const a = attrs.replace(/\s/g, '');
  const w = withdrawn.replace(/\s/g, '');
  return msg(2, `${h16(w.length / 2)}${w}${h16(a.length / 2)}${a}${nlri.replace(/\s/g, '')}`);
}

const ORIGIN = '40010100';
const AS_PATH = '400200';
const NEXT_HOP = '400304c6336401';
const OK = ORIGIN + AS_PATH + NEXT_HOP;
const MP_REACH_V6 = '800e1e 0002 01 10 20010db8000000000000000000000001 00 40 20010db800010000';

function open(body: string): string {
  return msg(1, body);
}
const OPEN_FIXED = '04 fbf4 00b4 c0000201';

interface Thrown {
  name: string;
  hex: string;
  ctx?: CodecContext;
  code: number;
  subcode: number;
  data?: string;
}

const THROWN: Thrown[] = [
  // Header (RFC 4271 §6.1)
  { name: 'marker octet not 0xff', hex: `fffffffffffffffffffffffffffffffe 0013 04`, code: 1, subcode: 1 },
  { name: 'length 18', hex: `${M} 0012 04`, code: 1, subcode: 2, data: '0012' },
  { name: 'length 4097', hex: `${M} 1001 04`, code: 1, subcode: 2, data: '1001' },
  { name: 'type 6', hex: `${M} 0013 06`, code: 1, subcode: 3, data: '06' },
  { name: 'type 0', hex: `${M} 0013 00`, code: 1, subcode: 3, data: '00' },
  { name: 'KEEPALIVE with a body', hex: `${M} 0014 04 00`, code: 1, subcode: 2, data: '0014' },
  { name: 'OPEN shorter than 29', hex: `${M} 001c 01 04 fbf4 00b4 c0000201`, code: 1, subcode: 2 },
  { name: 'UPDATE shorter than 23', hex: `${M} 0016 02 0000 00`, code: 1, subcode: 2 },
  { name: 'NOTIFICATION shorter than 21', hex: `${M} 0014 03 06`, code: 1, subcode: 2 },
  { name: 'ROUTE-REFRESH shorter than 23', hex: `${M} 0016 05 0001 00`, code: 1, subcode: 2 },
  { name: 'buffer shorter than the header length', hex: `${M} 0017 02 0000`, code: 1, subcode: 2 },
  { name: 'buffer shorter than a header', hex: `${M} 00`, code: 1, subcode: 2 },
  // OPEN (RFC 4271 §6.2)
  { name: 'OPEN version 3', hex: open('03 fbf4 00b4 c0000201 00'), code: 2, subcode: 1, data: '0004' },
  { name: 'OPEN AS 0', hex: open('04 0000 00b4 c0000201 00'), code: 2, subcode: 2 },
  { name: 'OPEN BGP identifier 0', hex: open('04 fbf4 00b4 00000000 00'), code: 2, subcode: 3 },
  {
    name: 'OPEN optional parameter type 1 (authentication)',
    hex: open(`${OPEN_FIXED} 03 01 01 00`),
    code: 2,
    subcode: 4,
  },
  { name: 'OPEN hold time 1', hex: open('04 fbf4 0001 c0000201 00'), code: 2, subcode: 6 },
  { name: 'OPEN hold time 2', hex: open('04 fbf4 0002 c0000201 00'), code: 2, subcode: 6 },
  {
    name: 'OPEN optional parameters length beyond the message',
    hex: open(`${OPEN_FIXED} 05 02 02 02 00`),
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN parameter length beyond the parameters',
    hex: open(`${OPEN_FIXED} 04 02 05 02 00`),
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN capability length beyond its parameter',
    hex: open(`${OPEN_FIXED} 04 02 02 02 01`),
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN 4-octet AS capability of 3 octets',
    hex: open(`${OPEN_FIXED} 07 02 05 41 03 000001`),
    code: 2,
    subcode: 0,
  },
  { name: 'OPEN 4-octet AS capability AS 0', hex: open(`${OPEN_FIXED} 08 02 06 41 04 00000000`), code: 2, subcode: 2 },
  {
    name: 'OPEN multiprotocol capability of 3 octets',
    hex: open(`${OPEN_FIXED} 07 02 05 01 03 000101`),
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN graceful restart capability of 3 octets',
    hex: open(`${OPEN_FIXED} 07 02 05 40 03 007800`),
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN route refresh capability with a value',
    hex: open(`${OPEN_FIXED} 05 02 03 02 01 00`),
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN extended parameters length truncated (RFC 9072)',
    hex: open(`${OPEN_FIXED} ff ff 00`),
    code: 2,
    subcode: 0,
  },
  // UPDATE session resets (RFC 7606)
  {
    name: 'Withdrawn Routes Length overruns the message (§3 b)',
    hex: msg(2, '0010 18c00002 0000'),
    code: 3,
    subcode: 1,
  },
  {
    name: 'Total Path Attribute Length overruns the message (§3 b)',
    hex: msg(2, `0000 0020 ${ORIGIN}`),
    code: 3,
    subcode: 1,
  },
  { name: 'withdrawn prefix /33 (§5.3)', hex: update('', '', '21c0000201ff'), code: 3, subcode: 1 },
  { name: 'withdrawn prefix overruns the field (§5.3)', hex: update('', '', '20c00002'), code: 3, subcode: 1 },
  { name: 'NLRI prefix /33 (§5.3)', hex: update(OK, '21c0000201ff'), code: 3, subcode: 10 },
  { name: 'NLRI prefix truncated (§5.3)', hex: update(OK, '20c000'), code: 3, subcode: 10 },
  {
    name: 'attribute list overrun with no NLRI and no MP_* (§3 i)',
    hex: update(`${ORIGIN} 400205 0201`, ''),
    code: 3,
    subcode: 1,
  },
  {
    name: 'single octet left in the attribute list, nothing to withdraw',
    hex: update(`${ORIGIN} 40`, ''),
    code: 3,
    subcode: 1,
  },
  {
    name: 'unrecognized well-known attribute (RFC 4271 §6.3)',
    hex: update(`${OK} 404d0100`),
    code: 3,
    subcode: 2,
    data: '404d0100',
  },
  {
    name: 'MP_REACH_NLRI twice (§3 g)',
    hex: update(`${MP_REACH_V6} ${MP_REACH_V6} ${ORIGIN} ${AS_PATH}`, ''),
    code: 3,
    subcode: 1,
  },
  { name: 'MP_UNREACH_NLRI twice (§3 g)', hex: update('800f03000201 800f03000201', ''), code: 3, subcode: 1 },
  {
    name: 'MP_REACH_NLRI IPv6 next hop length 5 (§7.11)',
    hex: update(`800e0a 0002 01 05 0102030405 00 00 ${ORIGIN} ${AS_PATH}`, ''),
    code: 3,
    subcode: 9,
  },
  {
    name: 'MP_REACH_NLRI IPv4 next hop length 16 (§7.11)',
    hex: update(`800e15 0001 01 10 20010db8000000000000000000000001 00 00`, ''),
    code: 3,
    subcode: 9,
  },
  {
    name: 'MP_REACH_NLRI next hop overruns the attribute (§7.11)',
    hex: update('800e06 0002 01 10 0000', ''),
    code: 3,
    subcode: 9,
  },
  { name: 'MP_REACH_NLRI shorter than 5 octets', hex: update('800e04 0002 0110', ''), code: 3, subcode: 9 },
  {
    name: 'MP_REACH_NLRI prefix /129 (§5.3)',
    hex: update(`800e16 0002 01 10 20010db8000000000000000000000001 00 81 ${ORIGIN}`, ''),
    code: 3,
    subcode: 9,
  },
  { name: 'MP_UNREACH_NLRI prefix truncated (§7.12)', hex: update('800f06 0002 01 40 2001', ''), code: 3, subcode: 9 },
  { name: 'MP_UNREACH_NLRI shorter than 3 octets', hex: update('800f02 0002', ''), code: 3, subcode: 9 },
  // ROUTE-REFRESH (RFC 7313 §5)
  { name: 'ROUTE-REFRESH BoRR with extra octets', hex: msg(5, '0001 01 01 00'), code: 7, subcode: 1 },
];

interface Reported {
  name: string;
  hex: string;
  ctx?: CodecContext;
  treatAsWithdraw: boolean;
  discarded?: number[];
  /** [code, subcode, handling] of each reported error, in order. */
  errors: [number, number, ErrorHandling][];
  check?: (u: Update) => void;
}

const TAW: ErrorHandling = 'treat-as-withdraw';
const DISCARD: ErrorHandling = 'attribute-discard';

const REPORTED: Reported[] = [
  {
    name: 'ORIGIN length 2 (§7.1)',
    hex: update(`400102 0000 ${AS_PATH} ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 5, TAW]],
  },
  {
    name: 'ORIGIN value 3 (§7.1)',
    hex: update(`40010103 ${AS_PATH} ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 6, TAW]],
  },
  {
    name: 'ORIGIN flagged optional (§3 c)',
    hex: update(`c0010100 ${AS_PATH} ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 4, TAW]],
  },
  {
    name: 'AS_PATH unknown segment type (§7.2)',
    hex: update(`${ORIGIN} 40020605 01 0000fbf4 ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 11, TAW]],
  },
  {
    name: 'AS_PATH zero-length segment (§7.2)',
    hex: update(`${ORIGIN} 4002020200 ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 11, TAW]],
  },
  {
    name: 'AS_PATH segment overrun (§7.2)',
    hex: update(`${ORIGIN} 4002060202 0000fbf4 ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 11, TAW]],
  },
  {
    name: 'AS_PATH single trailing octet (§7.2)',
    hex: update(`${ORIGIN} 4002070201 0000fbf4 02 ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 11, TAW]],
  },
  {
    name: 'AS_PATH odd length for 2-octet ASNs',
    ctx: CTX2,
    hex: update(`${ORIGIN} 4002050201fbf400 ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 11, TAW]],
  },
  {
    name: 'NEXT_HOP length 5 (§7.3)',
    hex: update(`${ORIGIN} ${AS_PATH} 400305c633640101`),
    treatAsWithdraw: true,
    errors: [[3, 5, TAW]],
  },
  {
    name: 'NEXT_HOP 0.0.0.0 (§7.3)',
    hex: update(`${ORIGIN} ${AS_PATH} 40030400000000`),
    treatAsWithdraw: true,
    errors: [[3, 8, TAW]],
  },
  {
    name: 'NEXT_HOP multicast (§7.3)',
    hex: update(`${ORIGIN} ${AS_PATH} 400304e0000001`),
    treatAsWithdraw: true,
    errors: [[3, 8, TAW]],
  },
  {
    name: 'MULTI_EXIT_DISC length 3 (§7.4)',
    hex: update(`${OK} 800403000001`),
    treatAsWithdraw: true,
    errors: [[3, 5, TAW]],
  },
  {
    name: 'MULTI_EXIT_DISC flagged transitive (§3 c)',
    hex: update(`${OK} c0040400000001`),
    treatAsWithdraw: true,
    errors: [[3, 4, TAW]],
  },
  { name: 'LOCAL_PREF length 2 (§7.5)', hex: update(`${OK} 4005020064`), treatAsWithdraw: true, errors: [[3, 5, TAW]] },
  {
    name: 'ATOMIC_AGGREGATE length 1 (§7.6)',
    hex: update(`${OK} 40060100`),
    treatAsWithdraw: false,
    discarded: [6],
    errors: [[3, 5, DISCARD]],
  },
  {
    name: 'AGGREGATOR length 7 with 4-octet ASNs (§7.7)',
    hex: update(`${OK} c00707 0000fbf4 c00002`),
    treatAsWithdraw: false,
    discarded: [7],
    errors: [[3, 5, DISCARD]],
  },
  {
    name: 'AGGREGATOR length 8 with 2-octet ASNs (§7.7)',
    ctx: CTX2,
    hex: update(`${ORIGIN} ${AS_PATH} ${NEXT_HOP} c00708 0000fbf4 c0000201`),
    treatAsWithdraw: false,
    discarded: [7],
    errors: [[3, 5, DISCARD]],
  },
  {
    name: 'AGGREGATOR flagged well-known (§3 f)',
    hex: update(`${OK} 400708 0000fbf4 c0000201`),
    treatAsWithdraw: false,
    discarded: [7],
    errors: [[3, 4, DISCARD]],
  },
  {
    name: 'AGGREGATOR AS 0 (RFC 7607)',
    hex: update(`${OK} c00708 00000000 c0000201`),
    treatAsWithdraw: false,
    discarded: [7],
    errors: [[3, 9, DISCARD]],
  },
  {
    name: 'COMMUNITIES length 3 (§7.8)',
    hex: update(`${OK} c00803 000001`),
    treatAsWithdraw: true,
    errors: [[3, 9, TAW]],
  },
  { name: 'COMMUNITIES length 0 (§7.8)', hex: update(`${OK} c00800`), treatAsWithdraw: true, errors: [[3, 9, TAW]] },
  {
    name: 'LARGE_COMMUNITIES length 8 (RFC 8092)',
    hex: update(`${OK} c02008 0000fbf4 00000001`),
    treatAsWithdraw: true,
    errors: [[3, 9, TAW]],
  },
  {
    name: 'attribute overrunning the list with NLRI present (§4)',
    hex: update(`${OK} c00810 ffffff01`),
    treatAsWithdraw: true,
    errors: [[3, 1, TAW]],
    check: (u) => expect(u.nlri).toHaveLength(1),
  },
  {
    name: 'attribute list overrun after a parsed MP_REACH_NLRI (§4, §5.1)',
    hex: update(`${MP_REACH_V6} ${ORIGIN} 4002`, ''),
    treatAsWithdraw: true,
    // The broken AS_PATH header also leaves AS_PATH missing.
    errors: [
      [3, 1, TAW],
      [3, 3, TAW],
    ],
    check: (u) => expect(u.attributes[0]?.type).toBe('MP_REACH_NLRI'),
  },
  {
    name: 'MP_REACH_NLRI flagged transitive: kept so its NLRI can be withdrawn (§3 c)',
    hex: update(`c${MP_REACH_V6.slice(1)} ${ORIGIN} ${AS_PATH}`, ''),
    treatAsWithdraw: true,
    errors: [[3, 4, TAW]],
    check: (u) => expect(u.attributes[0]).toMatchObject({ type: 'MP_REACH_NLRI', nlri: [{ length: 64 }] }),
  },
  {
    name: 'repeated COMMUNITIES: all but the first discarded (§3 g)',
    hex: update(`${OK} c00804ffffff01 c00804ffffff02`),
    treatAsWithdraw: false,
    discarded: [8],
    errors: [[3, 1, DISCARD]],
    check: (u) => expect(u.attributes.at(-1)).toEqual({ type: 'COMMUNITIES', communities: [0xffffff01] }),
  },
  {
    name: 'repeated large communities are silently removed (RFC 8092 §5)',
    hex: update(`${OK} c02024 0000fbf4 00000001 00000002 0000fbf4 00000001 00000002 0000fbf4 00000001 00000003`),
    treatAsWithdraw: false,
    errors: [],
    check: (u) =>
      expect(u.attributes.at(-1)).toEqual({
        type: 'LARGE_COMMUNITIES',
        communities: [
          { globalAdmin: 64500, localData1: 1, localData2: 2 },
          { globalAdmin: 64500, localData1: 1, localData2: 3 },
        ],
      }),
  },
  {
    name: 'missing ORIGIN with NLRI (§3 d)',
    hex: update(`${AS_PATH} ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 3, TAW]],
  },
  {
    name: 'missing AS_PATH with NLRI (§3 d)',
    hex: update(`${ORIGIN} ${NEXT_HOP}`),
    treatAsWithdraw: true,
    errors: [[3, 3, TAW]],
  },
  {
    name: 'missing NEXT_HOP with IPv4 NLRI (§3 d)',
    hex: update(`${ORIGIN} ${AS_PATH}`),
    treatAsWithdraw: true,
    errors: [[3, 3, TAW]],
  },
  {
    name: 'missing ORIGIN with MP_REACH_NLRI (§3 d)',
    hex: update(`${MP_REACH_V6} ${AS_PATH}`, ''),
    treatAsWithdraw: true,
    errors: [[3, 3, TAW]],
  },
  {
    name: 'no NEXT_HOP needed with MP_REACH_NLRI only (RFC 4760 §3)',
    hex: update(`${MP_REACH_V6} ${ORIGIN} ${AS_PATH}`, ''),
    treatAsWithdraw: false,
    errors: [],
  },
  {
    name: 'no mandatory attributes needed for withdrawals',
    hex: update('', '', '18c00002'),
    treatAsWithdraw: false,
    errors: [],
  },
  {
    name: 'unknown optional non-transitive attribute kept raw',
    hex: update(`${OK} 80c80101`),
    treatAsWithdraw: false,
    errors: [],
    check: (u) => expect(u.attributes.at(-1)).toEqual({ type: 'UNKNOWN', code: 200, flags: 0x80, data: fromHex('01') }),
  },
  {
    name: 'MP_REACH_NLRI of an unsupported AFI/SAFI kept raw',
    hex: update(`${ORIGIN} ${AS_PATH} 800e05 0019 46 00 00`, ''),
    treatAsWithdraw: false,
    errors: [],
    check: (u) => expect(u.attributes.at(-1)).toMatchObject({ type: 'UNKNOWN', code: 14 }),
  },
  {
    name: 'AS4_PATH from a 4-octet peer is discarded (RFC 6793 §4.1)',
    hex: update(`${OK} c01106 0201 fa56ea00`),
    treatAsWithdraw: false,
    discarded: [17],
    errors: [[3, 9, DISCARD]],
  },
  {
    name: 'malformed AS4_PATH from a 2-octet peer is discarded (RFC 6793 §6)',
    ctx: CTX2,
    hex: update(`${OK} c01105 0201 fa56ea`),
    treatAsWithdraw: false,
    discarded: [17],
    errors: [[3, 9, DISCARD]],
  },
  {
    name: 'AS4_AGGREGATOR length 6 is discarded',
    ctx: CTX2,
    hex: update(`${OK} c01206 fa56 c0000201`),
    treatAsWithdraw: false,
    discarded: [18],
    errors: [[3, 5, DISCARD]],
  },
  {
    name: 'strongest approach wins: discard + treat-as-withdraw (§3 h)',
    hex: update(`40010104 ${AS_PATH} ${NEXT_HOP} 40060100`),
    treatAsWithdraw: true,
    discarded: [6],
    errors: [
      [3, 6, TAW],
      [3, 5, DISCARD],
    ],
  },
];

describe('malformed input: thrown session-reset errors', () => {
  it.each(THROWN.map((t) => [t.name, t] as const))('%s', (_n, t) => {
    let caught: unknown;
    try {
      decodeMessage(fromHex(t.hex), 0, t.ctx ?? CTX4);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BgpError);
    const e = caught as BgpError;
    expect([e.code, e.subcode, e.handling]).toEqual([t.code, t.subcode, 'session-reset']);
    expect(e.message.length).toBeGreaterThan(10);
    if (t.data !== undefined) expect(Buffer.from(e.data).toString('hex')).toBe(t.data);
  });

  it('takes the strongest approach: a session reset beats treat-as-withdraw (§3 h)', () => {
    const hex = update(`40010103 ${AS_PATH} ${NEXT_HOP} 404d0100`);
    expect(() => decodeMessage(fromHex(hex), 0, CTX4)).toThrow(expect.objectContaining({ code: 3, subcode: 2 }));
  });
});

describe('malformed input: reported on the Update (RFC 7606)', () => {
  it.each(REPORTED.map((r) => [r.name, r] as const))('%s', (_n, r) => {
    const { value } = decodeMessage(fromHex(r.hex), 0, r.ctx ?? CTX4);
    expect(value.type).toBe('UPDATE');
    const u = value as Update;
    expect(u.treatAsWithdraw ?? false).toBe(r.treatAsWithdraw);
    expect(u.discarded ?? []).toEqual(r.discarded ?? []);
    expect((u.errors ?? []).map((e) => [e.code, e.subcode, e.handling])).toEqual(r.errors);
    for (const e of u.errors ?? []) expect(e).toBeInstanceOf(BgpError);
    r.check?.(u);
  });

  it('reports the missing attribute type code as data (RFC 4271 §6.3)', () => {
    const u = decodeMessage(fromHex(update(`${ORIGIN} ${AS_PATH}`)), 0, CTX4).value as Update;
    expect(u.errors?.[0]?.data).toEqual(new Uint8Array([3]));
  });

  it('reports the erroneous attribute as data', () => {
    const u = decodeMessage(fromHex(update(`40010103 ${AS_PATH} ${NEXT_HOP}`)), 0, CTX4).value as Update;
    expect(Buffer.from(u.errors?.[0]?.data ?? []).toString('hex')).toBe('40010103');
  });
});

describe('frameLength', () => {
  it('is undefined until a whole header is there, then gives the length', () => {
    const bytes = fromHex(`${M} 0017 05 0002 00 01`);
    expect(frameLength(bytes.subarray(0, 18), 0)).toBeUndefined();
    expect(frameLength(bytes.subarray(0, 19), 0)).toBe(23);
    expect(frameLength(bytes, 0)).toBe(23);
  });

  it('throws 1/1 for a bad marker and 1/2 for a bad length', () => {
    expect(() => frameLength(fromHex(`00${M.slice(2)} 0013 04`), 0)).toThrow(
      expect.objectContaining({ code: 1, subcode: 1 }),
    );
    expect(() => frameLength(fromHex(`${M} 0fff 04`.replace('0fff', '1001')), 0)).toThrow(
      expect.objectContaining({ code: 1, subcode: 2 }),
    );
  });
});
