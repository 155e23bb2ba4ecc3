// Smaller API pieces: re-advertisement of unknown attributes, OPEN builder, update routes under
// treat-as-withdraw, encode-side range errors, shutdown communication limits, error ordering.
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  HANDLING_STRENGTH,
  buildOpen,
  decodeMessage,
  encodeMessage,
  forReadvertisement,
  missingCapabilities,
  formatCommunity,
  openAsn,
  strongerHandling,
  updateRoutes,
  appliedHandling,
} from '../../../../src/bgp/codec/index.ts';
import type { Open, PathAttribute, Update } from '../../../../src/bgp/codec/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import { CTX2, CTX4, pfx } from './fixtures.ts';

describe('codec API details', () => {
  it('re-advertises unknown optional transitive attributes with Partial set and drops non-transitive ones', () => {
    const attrs: PathAttribute[] = [
      { type: 'ORIGIN', origin: 'IGP' },
      { type: 'UNKNOWN', code: 99, flags: 0xc0, data: new Uint8Array([1]) },
      { type: 'UNKNOWN', code: 98, flags: 0x80, data: new Uint8Array([2]) },
    ];
    expect(forReadvertisement(attrs)).toEqual([
      { type: 'ORIGIN', origin: 'IGP' },
      { type: 'UNKNOWN', code: 99, flags: 0xe0, data: new Uint8Array([1]) },
    ]);
  });

  it('builds an OPEN with AS_TRANS for a 4-octet AS and reads the real AS back', () => {
    const o = buildOpen({ asn: 4200000000, holdTime: 90, bgpId: 1, families: [{ afi: 2, safi: 1 }] });
    expect(o.myAsn).toBe(23456);
    const back = decodeMessage(encodeMessage(o, CTX2), 0, CTX2).value as Open;
    expect(openAsn(back)).toBe(4200000000);
    expect(openAsn(buildOpen({ asn: 64500, holdTime: 90, bgpId: 1, families: [] }))).toBe(64500);
  });

  it('turns announcements into withdrawals under treat-as-withdraw', () => {
    const u: Update = {
      type: 'UPDATE',
      withdrawn: [pfx('192.0.2.1/32')],
      attributes: [{ type: 'MP_REACH_NLRI', family: 'ipv6', safi: 1, nextHop: 1n, nlri: [pfx('2001:db8::/64')] }],
      nlri: [pfx('198.51.100.0/24')],
      treatAsWithdraw: true,
    };
    const r = updateRoutes(u);
    expect(r.announced).toEqual([]);
    expect(r.withdrawn.map(formatPrefix).sort()).toEqual(['192.0.2.1/32', '198.51.100.0/24', '2001:db8::/64']);
    expect(updateRoutes({ ...u, treatAsWithdraw: false }).announced).toHaveLength(2);
    expect(appliedHandling(u)).toBe('treat-as-withdraw');
    expect(appliedHandling({ ...u, treatAsWithdraw: false, discarded: [6] })).toBe('attribute-discard');
    expect(appliedHandling({ ...u, treatAsWithdraw: false })).toBeUndefined();
  });

  it('refuses to encode out-of-range values with a message naming the field', () => {
    const bad = (attributes: PathAttribute[]): Update => ({ type: 'UPDATE', withdrawn: [], attributes, nlri: [] });
    expect(() => encodeMessage(bad([{ type: 'LOCAL_PREF', localPref: -1 }]), CTX4)).toThrow(/LOCAL_PREF/);
    expect(() =>
      encodeMessage(bad([{ type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [] }] }]), CTX4),
    ).toThrow(/1\.\.255 ASNs/);
    expect(() =>
      encodeMessage({ type: 'UPDATE', withdrawn: [], attributes: [], nlri: [pfx('2001:db8::/32')] }, CTX4),
    ).toThrow(/MP_/);
    expect(() =>
      encodeMessage({ type: 'OPEN', version: 4, myAsn: 70000, holdTime: 90, bgpId: 1, capabilities: [] }, CTX4),
    ).toThrow(/AS_TRANS/);
    const many = Array.from({ length: 1100 }, () => 1);
    expect(() => encodeMessage(bad([{ type: 'COMMUNITIES', communities: many }]), CTX4)).toThrow(/exceeds 4096/);
    expect(() =>
      encodeMessage(
        { type: 'UPDATE', withdrawn: [{ family: 'ipv4', prefix: 1n << 32n, length: 32 }], attributes: [], nlri: [] },
        CTX4,
      ),
    ).toThrow(/32-bit ipv4/);
    const mp: PathAttribute = { type: 'MP_REACH_NLRI', family: 'ipv6', safi: 1, nextHop: -1n, nlri: [] };
    expect(() => encodeMessage(bad([mp]), CTX4)).toThrow(/IPv6 next hop/);
    const long = 'x'.repeat(256);
    expect(() =>
      encodeMessage(
        { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0), shutdownCommunication: long },
        CTX4,
      ),
    ).toThrow(/RFC 9003/);
  });

  it('names well-known communities', () => {
    expect(formatCommunity(0xffffff01)).toBe('NO_EXPORT');
    expect(formatCommunity(0xffffff04)).toBe('NO_PEER');
    expect(formatCommunity(64500 * 65536 + 7)).toBe('64500:7');
  });

  it('orders handlings by strength (RFC 7606 §3 h)', () => {
    expect(HANDLING_STRENGTH['session-reset']).toBeGreaterThan(HANDLING_STRENGTH['treat-as-withdraw']);
    expect(HANDLING_STRENGTH['treat-as-withdraw']).toBeGreaterThan(HANDLING_STRENGTH['attribute-discard']);
    expect(strongerHandling('attribute-discard', 'treat-as-withdraw')).toBe('treat-as-withdraw');
    const e = new BgpError(3, 5, 'x', { handling: 'treat-as-withdraw' });
    expect(e.withHandling('session-reset')).toMatchObject({ code: 3, subcode: 5, handling: 'session-reset' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('BgpError');
  });
});

describe('required capabilities (RFC 5492 §5)', () => {
  it('reports the missing ones as 2/7 with their wire form as data', () => {
    const open = buildOpen({ asn: 64500, holdTime: 90, bgpId: 1, families: [{ afi: 1, safi: 1 }] });
    const e = missingCapabilities(
      open,
      [
        { type: 'MULTIPROTOCOL', afi: 2, safi: 1 },
        { type: 'FOUR_OCTET_AS', asn: 0 },
        { type: 'ENHANCED_ROUTE_REFRESH' },
      ],
      CTX4,
    );
    expect(e).toMatchObject({ code: 2, subcode: 7, handling: 'session-reset' });
    expect(Buffer.from(e?.data ?? []).toString('hex')).toBe('01040002000146' + '00');
    expect(e?.message).toMatch(/MULTIPROTOCOL 2\/1, ENHANCED_ROUTE_REFRESH/);
    expect(missingCapabilities(open, [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }], CTX4)).toBeUndefined();
  });
});

describe('decoding from a Node Buffer', () => {
  it('returns byte arrays that are copies, not views of the input', () => {
    const bytes = Buffer.from('ffffffffffffffffffffffffffffffff001703060201ff', 'hex');
    const m = decodeMessage(bytes, 0, CTX4).value;
    bytes.fill(0);
    // (a Buffer slice would have followed the fill)
    expect(m).toEqual({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array([1, 0xff]) });
    expect(m.type === 'NOTIFICATION' && m.data.constructor).toBe(Uint8Array);
  });
});
