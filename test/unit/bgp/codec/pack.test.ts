// packUpdates: many NLRI per UPDATE (≤ maxSize), grouping by attribute set, batched withdrawals; every
// packed message decodes back, and together they carry exactly the routes given.
import { describe, expect, it } from 'vitest';
import { decodeMessage, packUpdates, updateRoutes } from '../../../../src/bgp/codec/index.ts';
import type { CodecContext, PathAttribute, Prefix, WireRoute, Update } from '../../../../src/bgp/codec/index.ts';
import { prefixKey } from '../../../../src/bgp/prefix.ts';
import { CTX2, CTX4, ip } from './fixtures.ts';

function attrs(localPref: number, asns = [64500]): PathAttribute[] {
  return [
    { type: 'ORIGIN', origin: 'IGP' },
    { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns }] },
    { type: 'LOCAL_PREF', localPref },
    { type: 'COMMUNITIES', communities: [0xffffff01] },
  ];
}

function v4Routes(n: number, a: PathAttribute[], base = ip('198.51.100.0') << 0n): WireRoute[] {
  // /32s walking up from 198.51.100.0 (beyond /24 too: any address is fine for the codec).
  return Array.from({ length: n }, (_, i) => ({
    prefix: { family: 'ipv4' as const, prefix: base + BigInt(i), length: 32 },
    nextHop: ip('192.0.2.1'),
    attributes: a,
  }));
}

function v6Routes(n: number, a: PathAttribute[], linkLocal?: bigint): WireRoute[] {
  return Array.from({ length: n }, (_, i) => ({
    prefix: { family: 'ipv6' as const, prefix: ip('2001:db8::') + BigInt(i), length: 128 },
    nextHop: ip('2001:db8:ffff::1'),
    ...(linkLocal === undefined ? {} : { linkLocalNextHop: linkLocal }),
    attributes: a,
  }));
}

function decodeAll(msgs: Uint8Array[], ctx: CodecContext): Update[] {
  return msgs.map((m) => {
    const { value, bytesRead } = decodeMessage(m, 0, ctx);
    expect(bytesRead).toBe(m.length);
    expect(value.type).toBe('UPDATE');
    const u = value as Update;
    expect(u.errors).toBeUndefined();
    return u;
  });
}

function keys(ps: Prefix[]): string[] {
  return ps.map(prefixKey).sort();
}

describe('packUpdates', () => {
  it('packs 2000 IPv4 and 2000 IPv6 routes with one attribute set into few full UPDATEs', () => {
    const a = attrs(100);
    const routes = [...v4Routes(2000, a), ...v6Routes(2000, a, ip('fe80::1'))];
    const msgs = packUpdates(routes, [], CTX4);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(4096);
    const updates = decodeAll(msgs, CTX4);
    const announced = updates.flatMap((u) => updateRoutes(u).announced);
    expect(keys(announced)).toEqual(keys(routes.map((r) => r.prefix)));
    // IPv4 /32 = 5 octets of NLRI, IPv6 /128 = 17: ~800 resp. ~235 per message.
    const v4 = updates.filter((u) => u.nlri.length > 0);
    const v6 = updates.filter((u) => u.attributes.some((x) => x.type === 'MP_REACH_NLRI'));
    expect(v4.length).toBe(Math.ceil(2000 / Math.floor((4096 - 23 - 36) / 5)));
    expect(v6.length).toBeLessThanOrEqual(Math.ceil(2000 / 230));
    expect(msgs.length).toBe(v4.length + v6.length);
    // Attributes: MP_REACH_NLRI first, then ascending type code (RFC 7606 §5.1, RFC 4271 §5).
    expect(v6[0]?.attributes.map((x) => x.type)).toEqual([
      'MP_REACH_NLRI',
      'ORIGIN',
      'AS_PATH',
      'LOCAL_PREF',
      'COMMUNITIES',
    ]);
    expect(v4[0]?.attributes.map((x) => x.type)).toEqual([
      'ORIGIN',
      'AS_PATH',
      'NEXT_HOP',
      'LOCAL_PREF',
      'COMMUNITIES',
    ]);
    const mp = v6[0]?.attributes[0];
    expect(mp).toMatchObject({ nextHop: ip('2001:db8:ffff::1'), linkLocalNextHop: ip('fe80::1') });
  });

  it('groups routes by identical attributes and next hop', () => {
    const routes = [...v4Routes(3, attrs(100)), ...v4Routes(2, attrs(200), ip('203.0.113.0'))];
    routes.push({
      ...routes[0]!,
      prefix: { family: 'ipv4', prefix: ip('192.0.2.200'), length: 32 },
      nextHop: ip('192.0.2.2'),
    });
    const updates = decodeAll(packUpdates(routes, [], CTX4), CTX4);
    expect(updates.map((u) => u.nlri.length)).toEqual([3, 2, 1]);
    expect(updates.map((u) => u.attributes.find((a) => a.type === 'LOCAL_PREF'))).toEqual([
      { type: 'LOCAL_PREF', localPref: 100 },
      { type: 'LOCAL_PREF', localPref: 200 },
      { type: 'LOCAL_PREF', localPref: 100 },
    ]);
  });

  it('batches withdrawals: IPv4 in Withdrawn Routes, IPv6 in MP_UNREACH_NLRI, before announcements', () => {
    const w4 = v4Routes(1500, []).map((r) => r.prefix);
    const w6 = v6Routes(600, []).map((r) => r.prefix);
    const msgs = packUpdates(v4Routes(1, attrs(100), ip('203.0.113.7')), [...w4, ...w6], CTX4);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(4096);
    const updates = decodeAll(msgs, CTX4);
    const withdrawn = updates.flatMap((u) => updateRoutes(u).withdrawn);
    expect(keys(withdrawn)).toEqual(keys([...w4, ...w6]));
    expect(updates.at(-1)?.nlri).toHaveLength(1);
    expect(updates.slice(0, -1).every((u) => u.nlri.length === 0)).toBe(true);
    // 1500 × 5 octets need 2 messages; 600 × 17 need 3.
    expect(updates.filter((u) => u.withdrawn.length > 0)).toHaveLength(2);
    expect(updates.filter((u) => u.attributes[0]?.type === 'MP_UNREACH_NLRI')).toHaveLength(3);
  });

  it('respects a smaller maxSize and uses AS4_PATH towards a 2-octet peer', () => {
    const a = attrs(100, [4200000000, 64500]);
    const msgs = packUpdates(v4Routes(300, a), [], CTX2, 512);
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(512);
    const updates = decodeAll(msgs, CTX2);
    expect(updates.flatMap((u) => u.nlri)).toHaveLength(300);
    expect(updates[0]?.attributes.find((x) => x.type === 'AS_PATH')).toEqual(a[1]);
    expect(msgs.length).toBe(Math.ceil(300 / Math.floor((512 - 23 - 36 - 13 - 3) / 5)));
  });

  it('returns nothing for nothing, and refuses NEXT_HOP in route attributes or an impossible maxSize', () => {
    expect(packUpdates([], [], CTX4)).toEqual([]);
    const bad = v4Routes(1, [...attrs(1), { type: 'NEXT_HOP', nextHop: 1n }]);
    expect(() => packUpdates(bad, [], CTX4)).toThrow(/NEXT_HOP/);
    expect(() => packUpdates(v4Routes(1, attrs(1)), [], CTX4, 40)).toThrow(/does not fit/);
    expect(() => packUpdates([], [], CTX4, 10)).toThrow(/maxSize/);
  });
});
