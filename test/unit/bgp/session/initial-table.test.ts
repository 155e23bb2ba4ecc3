// The initial table prepared before Established: what it holds (UPDATEs for every resolvable route, the
// Adj-RIB-Out they make), and which inputs it depends on (so a prepared table is used only when the
// negotiation gives the same routes and bytes).
import { describe, expect, it } from 'vitest';
import { decodeMessage, frameLength, updateRoutes } from '../../../../src/bgp/codec/index.ts';
import type { CodecContext, Update } from '../../../../src/bgp/codec/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import { familiesOf, prepareInitialTable, sameInputs, tableInputs } from '../../../../src/bgp/session/initial-table.ts';
import { parseIp } from '../../../../src/net/ip.ts';
import { hostRoute as route } from './host-route.ts';

const EBGP = { localAsn: 64512, ibgp: false };

function updates(bytes: Uint8Array, ctx: CodecContext): Update[] {
  const out: Update[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = frameLength(bytes, at);
    if (len === undefined) throw new Error(`truncated message at ${at}`);
    const m = decodeMessage(bytes.subarray(at, at + len), 0, ctx).value;
    expect(m.type).toBe('UPDATE');
    out.push(m as Update);
    at += len;
  }
  return out;
}

const DEFAULTS = { ipv4: '198.51.100.1', ipv6: '2001:db8::1' };

describe('prepareInitialTable', () => {
  it('packs every resolvable route (many per UPDATE), keys them, counts the rest as skipped', () => {
    const v6 = Array.from({ length: 1000 }, (_, i) => route(`2001:db8:100::${(i + 1).toString(16)}`));
    const desired = [route('203.0.113.1'), route('203.0.113.2', { nextHop: '2001:db8::9' }), ...v6];
    const t = prepareInitialTable(
      tableInputs(desired, familiesOf(desired), ['ipv4', 'ipv6'], DEFAULTS, true),
      EBGP,
      parseIp,
    );
    expect(t.error).toBeUndefined();
    expect(t.skipped).toBe(1); // an IPv4 route with an IPv6 next hop
    expect(t.rib.size).toBe(1001);
    const ups = updates(t.bytes, { fourOctetAs: true });
    expect(ups).toHaveLength(t.updates);
    expect(t.updates).toBeLessThan(10);
    const announced = ups.flatMap((u) => updateRoutes(u).announced.map(formatPrefix)).sort();
    expect(announced).toEqual([...t.rib.values()].map((r) => formatPrefix(r.prefix)).sort());
    const asPath = ups[0]!.attributes.find((a) => a.type === 'AS_PATH');
    expect(asPath).toEqual({ type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64512] }] });
  });

  it('encodes AS_PATH for a 2-octet AS peer when prepared for one', () => {
    const desired = [route('203.0.113.1')];
    const t = prepareInitialTable(
      tableInputs(desired, familiesOf(desired), ['ipv4'], DEFAULTS, false),
      { localAsn: 65001, ibgp: false },
      parseIp,
    );
    const [u] = updates(t.bytes, { fourOctetAs: false });
    expect(u!.attributes.find((a) => a.type === 'AS_PATH')).toEqual({
      type: 'AS_PATH',
      segments: [{ type: 'AS_SEQUENCE', asns: [65001] }],
    });
  });

  it('a route the codec cannot encode: no UPDATEs, the error kept for the session to report', () => {
    const desired = [route('203.0.113.1', { med: 2 ** 33 })];
    const t = prepareInitialTable(tableInputs(desired, familiesOf(desired), ['ipv4'], DEFAULTS, true), EBGP, parseIp);
    expect(t.error).toBeInstanceOf(Error);
    expect(t.bytes.length).toBe(0);
    expect(t.updates).toBe(0);
  });

  it('the last route of a prefix given twice is the one announced', () => {
    const desired = [route('203.0.113.1', { localPref: 100 }), route('203.0.113.1', { med: 7 })];
    const t = prepareInitialTable(tableInputs(desired, familiesOf(desired), ['ipv4'], DEFAULTS, true), EBGP, parseIp);
    const ups = updates(t.bytes, { fourOctetAs: true });
    expect(ups).toHaveLength(1);
    expect(ups[0]!.attributes.find((a) => a.type === 'MULTI_EXIT_DISC')).toEqual({ type: 'MULTI_EXIT_DISC', med: 7 });
    expect(t.rib.size).toBe(1);
  });
});

describe('table inputs', () => {
  const v6only = [route('2001:db8:100::1')];
  const both = [route('203.0.113.1'), route('2001:db8:100::1')];

  it('a family no desired route has does not matter: families, next hops', () => {
    const offered = tableInputs(v6only, familiesOf(v6only), ['ipv4', 'ipv6'], DEFAULTS, true);
    const got = tableInputs(v6only, familiesOf(v6only), ['ipv6'], { ipv6: '2001:db8::1' }, true);
    expect(offered.families).toEqual(['ipv6']);
    expect(offered.defaults).toEqual({ ipv6: '2001:db8::1' });
    expect(sameInputs(offered, got)).toBe(true);
  });

  it.each([
    ['a family with routes not negotiated', tableInputs(both, familiesOf(both), ['ipv6'], DEFAULTS, true)],
    ['no 4-octet AS', tableInputs(both, familiesOf(both), ['ipv4', 'ipv6'], DEFAULTS, false)],
    [
      'another next hop',
      tableInputs(both, familiesOf(both), ['ipv4', 'ipv6'], { ...DEFAULTS, ipv4: '198.51.100.2' }, true),
    ],
    [
      'a link-local next hop',
      tableInputs(both, familiesOf(both), ['ipv4', 'ipv6'], { ...DEFAULTS, ipv6LinkLocal: 'fe80::1' }, true),
    ],
    [
      'another desired array, even with equal routes',
      tableInputs([...both], familiesOf(both), ['ipv4', 'ipv6'], DEFAULTS, true),
    ],
  ])('%s: prepared again', (_, other) => {
    const prepared = tableInputs(both, familiesOf(both), ['ipv6', 'ipv4'], DEFAULTS, true);
    expect(sameInputs(prepared, other)).toBe(false);
    expect(sameInputs(prepared, tableInputs(both, familiesOf(both), ['ipv4', 'ipv6'], DEFAULTS, true))).toBe(true);
  });

  it('familiesOf', () => {
    expect([...familiesOf([])]).toEqual([]);
    expect([...familiesOf(both)].sort()).toEqual(['ipv4', 'ipv6']);
  });
});
