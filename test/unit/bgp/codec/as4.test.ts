// RFC 6793 across 2-octet peers: AS_TRANS + AS4_PATH/AS4_AGGREGATOR on the wire, merged back on decode.
import { describe, expect, it } from 'vitest';
import { resolveAs4, wireAttributes } from '../../../../src/bgp/codec/attributes/as4.ts';
import { decodeMessage, encodeMessage, fromHex, hex } from '../../../../src/bgp/codec/index.ts';
import type { AsPathSegment, PathAttribute, Update } from '../../../../src/bgp/codec/index.ts';
import { CTX2, CTX4, ip } from './fixtures.ts';

const seq = (...asns: number[]): AsPathSegment => ({ type: 'AS_SEQUENCE', asns });
const path = (...segments: AsPathSegment[]): PathAttribute => ({ type: 'AS_PATH', segments });
const as4 = (...segments: AsPathSegment[]): PathAttribute => ({ type: 'AS4_PATH', segments });

describe('RFC 6793 send side (§4.2.2)', () => {
  it('adds AS4_PATH without confederation segments and AS4_AGGREGATOR only when needed', () => {
    const attrs: PathAttribute[] = [
      { type: 'ORIGIN', origin: 'IGP' },
      path({ type: 'AS_CONFED_SEQUENCE', asns: [65001] }, seq(64500, 4200000000)),
      { type: 'AGGREGATOR', asn: 4200000001, address: ip('192.0.2.1') },
      { type: 'COMMUNITIES', communities: [1] },
    ];
    expect(wireAttributes(attrs, CTX2).map((a) => a.type)).toEqual([
      'ORIGIN',
      'AS_PATH',
      'AGGREGATOR',
      'COMMUNITIES',
      'AS4_PATH',
      'AS4_AGGREGATOR',
    ]);
    // From the leftmost AS that needs 4 octets (the receiver takes the rest from AS_PATH).
    expect(wireAttributes(attrs, CTX2).find((a) => a.type === 'AS4_PATH')).toEqual(as4(seq(4200000000)));
    expect(wireAttributes(attrs, CTX4)).toBe(attrs);
    const small = [path(seq(64500)), { type: 'AGGREGATOR', asn: 64500, address: 1n } as PathAttribute];
    expect(wireAttributes(small, CTX2)).toBe(small);
  });

  it('writes AS_TRANS in the 2-octet AS_PATH and AGGREGATOR', () => {
    const u: Update = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [path(seq(4200000000)), { type: 'AGGREGATOR', asn: 4200000000, address: ip('192.0.2.1') }],
      nlri: [],
    };
    const h = hex(encodeMessage(u, CTX2));
    expect(h).toContain('4002040201' + '5ba0'); // AS_PATH: one AS_SEQUENCE of AS_TRANS
    expect(h).toContain('c00706' + '5ba0' + 'c0000201'); // AGGREGATOR AS_TRANS 192.0.2.1
  });
});

describe('RFC 6793 receive side (§4.2.3)', () => {
  it('merges: leading ASes of AS_PATH beyond the AS4_PATH length are kept, sequences joined', () => {
    const r = resolveAs4([path(seq(64496, 64497, 23456, 64500)), as4(seq(4200000000, 64500))], CTX2);
    expect(r.attributes).toEqual([path(seq(64496, 64497, 4200000000, 64500))]);
    expect(r.discarded).toEqual([]);
  });

  it('discards an AS4_PATH whose merge would grow the path on the wire (crafted AS_SET)', () => {
    const big = { type: 'AS_SET' as const, asns: Array.from({ length: 50 }, (_, i) => 4200000000 + i) };
    const r = resolveAs4([path(seq(23456)), as4(big)], CTX2);
    expect(r.attributes).toEqual([path(seq(23456))]);
    expect(r.discarded).toEqual([17]);
    expect(r.errors[0]?.message).toMatch(/grow/);
  });

  it('ignores an AS4_PATH longer than AS_PATH', () => {
    const r = resolveAs4([path(seq(23456)), as4(seq(4200000000, 64500))], CTX2);
    expect(r.attributes).toEqual([path(seq(23456))]);
    expect(r.discarded).toEqual([17]);
  });

  it('counts an AS_SET as one and keeps confederation segments of AS_PATH', () => {
    const r = resolveAs4(
      [
        path({ type: 'AS_CONFED_SEQUENCE', asns: [65001] }, seq(64496), { type: 'AS_SET', asns: [23456, 64497] }),
        as4({ type: 'AS_SET', asns: [4200000000, 64497] }),
      ],
      CTX2,
    );
    expect(r.attributes).toEqual([
      path({ type: 'AS_CONFED_SEQUENCE', asns: [65001] }, seq(64496), { type: 'AS_SET', asns: [4200000000, 64497] }),
    ]);
  });

  it('drops confederation segments found in AS4_PATH (RFC 6793 §6)', () => {
    const r = resolveAs4([path(seq(23456)), as4({ type: 'AS_CONFED_SEQUENCE', asns: [1] }, seq(4200000000))], CTX2);
    expect(r.attributes).toEqual([path(seq(4200000000))]);
    expect(r.errors.map((e) => e.handling)).toEqual(['attribute-discard']);
  });

  it('uses AS4_AGGREGATOR when AGGREGATOR is AS_TRANS; ignores both AS4_* when it is not', () => {
    const agg = (asn: number): PathAttribute => ({ type: 'AGGREGATOR', asn, address: ip('192.0.2.1') });
    const as4Agg: PathAttribute = { type: 'AS4_AGGREGATOR', asn: 4200000000, address: ip('192.0.2.9') };
    const a = resolveAs4([path(seq(23456)), agg(23456), as4Agg, as4(seq(4200000000))], CTX2);
    expect(a.attributes).toEqual([
      path(seq(4200000000)),
      { type: 'AGGREGATOR', asn: 4200000000, address: ip('192.0.2.9') },
    ]);
    const b = resolveAs4([path(seq(23456)), agg(64500), as4Agg, as4(seq(4200000000))], CTX2);
    expect(b.attributes).toEqual([path(seq(23456)), agg(64500)]);
    expect(b.discarded).toEqual([18, 17]);
  });

  it('decodes a captured-style 2-octet UPDATE end to end', () => {
    const m =
      'ffffffffffffffffffffffffffffffff 003c 02 0000 0021 40010100 4002060202fbf45ba0 c0110a02020000fbf4fa56ea00 400304c0000201 18c63364';
    const u = decodeMessage(fromHex(m), 0, CTX2).value as Update;
    expect(u.attributes[1]).toEqual(path(seq(64500, 4200000000)));
    // The same octets from a 4-octet peer would be an AS_PATH of 2-octet-looking ASNs and a discarded AS4_PATH.
    expect(() => decodeMessage(fromHex(m), 0, CTX4)).not.toThrow();
  });
});
