// packUpdates groups routes that share one attribute list (by identity) without serialising the list for
// every route: grouping must still follow next hops and families, and equal lists that are distinct
// objects must still share a group.
import { describe, expect, it } from 'vitest';
import { decodeMessage, packUpdates, updateRoutes } from '../../../../src/bgp/codec/index.ts';
import type { PathAttribute, WireRoute, Update } from '../../../../src/bgp/codec/index.ts';
import { prefixKey } from '../../../../src/bgp/prefix.ts';
import { CTX4, ip } from './fixtures.ts';

const attrs = (): PathAttribute[] => [
  { type: 'ORIGIN', origin: 'IGP' },
  { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500] }] },
];

/** next hop → prefix keys, from the decoded UPDATEs. */
function byNextHop(msgs: Uint8Array[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of msgs) {
    const u = decodeMessage(m, 0, CTX4).value as Update;
    const nh = u.attributes.find((a) => a.type === 'NEXT_HOP' || a.type === 'MP_REACH_NLRI');
    const key =
      nh?.type === 'NEXT_HOP' ? nh.nextHop.toString(16) : nh?.type === 'MP_REACH_NLRI' ? nh.nextHop.toString(16) : '?';
    out.set(key, [...(out.get(key) ?? []), ...updateRoutes(u).announced.map(prefixKey)].sort());
  }
  return out;
}

describe('packUpdates with shared attribute lists', () => {
  it('one list for routes of 20 next hops (more than it remembers per list): each next hop gets its own UPDATEs', () => {
    const shared = attrs();
    const routes: WireRoute[] = Array.from({ length: 400 }, (_, i) => ({
      prefix: { family: 'ipv4', prefix: ip('198.51.100.0') + BigInt(i), length: 32 },
      nextHop: ip('192.0.2.0') + BigInt(i % 20),
      attributes: shared,
    }));
    const got = byNextHop(packUpdates(routes, [], CTX4));
    expect(got.size).toBe(20);
    for (let h = 0; h < 20; h++) {
      const want = routes
        .filter((_, i) => i % 20 === h)
        .map((r) => prefixKey(r.prefix))
        .sort();
      expect(got.get((ip('192.0.2.0') + BigInt(h)).toString(16))).toEqual(want);
    }
  });

  it('one list for IPv4 and IPv6 routes: separate UPDATEs per family', () => {
    const shared = attrs();
    const routes: WireRoute[] = [
      {
        prefix: { family: 'ipv4', prefix: ip('198.51.100.1'), length: 32 },
        nextHop: ip('192.0.2.1'),
        attributes: shared,
      },
      {
        prefix: { family: 'ipv6', prefix: ip('2001:db8::1'), length: 128 },
        nextHop: ip('2001:db8::ff'),
        attributes: shared,
      },
    ];
    const msgs = packUpdates(routes, [], CTX4);
    expect(msgs).toHaveLength(2);
    expect([...byNextHop(msgs).keys()].sort()).toEqual(
      [ip('192.0.2.1').toString(16), ip('2001:db8::ff').toString(16)].sort(),
    );
  });

  it('equal lists that are distinct objects share one UPDATE', () => {
    const routes: WireRoute[] = Array.from({ length: 10 }, (_, i) => ({
      prefix: { family: 'ipv4', prefix: ip('198.51.100.0') + BigInt(i), length: 32 },
      nextHop: ip('192.0.2.1'),
      attributes: attrs(),
    }));
    expect(packUpdates(routes, [], CTX4)).toHaveLength(1);
  });

  it('a forbidden attribute in a shared list is still refused', () => {
    const bad: PathAttribute[] = [...attrs(), { type: 'NEXT_HOP', nextHop: ip('192.0.2.9') }];
    const r: WireRoute = {
      prefix: { family: 'ipv4', prefix: ip('198.51.100.1'), length: 32 },
      nextHop: ip('192.0.2.1'),
      attributes: bad,
    };
    expect(() => packUpdates([r, { ...r, prefix: { ...r.prefix, prefix: r.prefix.prefix + 1n } }], [], CTX4)).toThrow(
      /must not include NEXT_HOP/,
    );
  });
});
