import { describe, expect, it } from 'vitest';
import type { BgpAdvertisement, Peer } from '../../../../src/config/model.ts';
import { computeRoutes } from '../../../../src/bgp/speaker/compute-routes.ts';
import { formatPrefix } from '../../../../src/bgp/routes.ts';

function peer(over: Partial<Peer> & { name: string }): Peer {
  return {
    myASN: 64512,
    peerASN: 64513,
    peerAddress: '192.0.2.1',
    peerPort: 179,
    holdTime: 90,
    keepaliveTime: 30,
    ebgpMultiHop: false,
    nodeSelectors: [],
    ...over,
  };
}

function adv(over: Partial<BgpAdvertisement> & { name: string }): BgpAdvertisement {
  return {
    pools: ['pool-a'],
    aggregationLength: 32,
    aggregationLengthV6: 128,
    communities: [],
    peers: [],
    nodeSelectors: [],
    ...over,
  };
}

const node = { name: 'node-1', labels: { zone: 'a' }, ipv4: '198.51.100.1', ipv6: '2001:db8::1' };
const sel = (labels: Record<string, string>) => ({ matchLabels: labels, matchExpressions: [] });

type Case = {
  name: string;
  peers: Peer[];
  advs: BgpAdvertisement[];
  ips: { ip: string; pool: string }[];
  /** peer name → list of "prefix nh=... lp=... c=..." */
  want: Record<string, string[]>;
  problems?: number;
};

function show(r: import('../../../../src/bgp/routes.ts').Route): string {
  const parts = [formatPrefix(r.prefix), `nh=${r.nextHop ?? '-'}`];
  if (r.localPref !== undefined) parts.push(`lp=${r.localPref}`);
  if (r.communities.length) parts.push(`c=${r.communities.map((c) => `${c >>> 16}:${c & 0xffff}`).join(',')}`);
  if (r.largeCommunities.length) {
    parts.push(`lc=${r.largeCommunities.map((c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`).join(',')}`);
  }
  return parts.join(' ');
}

const cases: Case[] = [
  {
    name: 'one /32 per IP to every peer',
    peers: [peer({ name: 'p1' }), peer({ name: 'p2', peerAddress: '192.0.2.2' })],
    advs: [adv({ name: 'a' })],
    ips: [{ ip: '203.0.113.10', pool: 'pool-a' }],
    want: { p1: ['203.0.113.10/32 nh=198.51.100.1'], p2: ['203.0.113.10/32 nh=198.51.100.1'] },
  },
  {
    name: 'aggregation collapses IPs into one prefix',
    peers: [peer({ name: 'p1' })],
    advs: [adv({ name: 'a', aggregationLength: 24, aggregationLengthV6: 64 })],
    ips: [
      { ip: '203.0.113.10', pool: 'pool-a' },
      { ip: '203.0.113.200', pool: 'pool-a' },
      { ip: '2001:db8:0:1::5', pool: 'pool-a' },
      { ip: '2001:db8:0:1::6', pool: 'pool-a' },
    ],
    want: { p1: ['203.0.113.0/24 nh=198.51.100.1', '2001:db8:0:1::/64 nh=2001:db8::1'] },
  },
  {
    name: 'localPref only towards iBGP peers',
    peers: [peer({ name: 'ibgp', peerASN: 64512 }), peer({ name: 'ebgp' })],
    advs: [adv({ name: 'a', localPref: 150 })],
    ips: [{ ip: '203.0.113.10', pool: 'pool-a' }],
    want: { ibgp: ['203.0.113.10/32 nh=198.51.100.1 lp=150'], ebgp: ['203.0.113.10/32 nh=198.51.100.1'] },
  },
  {
    name: 'advertisement limited to named peers and merged communities',
    peers: [peer({ name: 'p1' }), peer({ name: 'p2' })],
    advs: [
      adv({ name: 'a', peers: ['p1'], communities: [{ kind: 'standard', value: (64512 << 16) | 100 }] }),
      adv({
        name: 'b',
        communities: [
          { kind: 'standard', value: (64512 << 16) | 200 },
          { kind: 'large', globalAdmin: 64512, localData1: 1, localData2: 2 },
        ],
      }),
    ],
    ips: [{ ip: '203.0.113.10', pool: 'pool-a' }],
    want: {
      p1: ['203.0.113.10/32 nh=198.51.100.1 c=64512:100,64512:200 lc=64512:1:2'],
      p2: ['203.0.113.10/32 nh=198.51.100.1 c=64512:200 lc=64512:1:2'],
    },
  },
  {
    name: 'node selectors on peers and advertisements',
    peers: [
      peer({ name: 'here', nodeSelectors: [sel({ zone: 'a' })] }),
      peer({ name: 'there', nodeSelectors: [sel({ zone: 'b' })] }),
    ],
    advs: [adv({ name: 'other-zone', nodeSelectors: [sel({ zone: 'b' })] }), adv({ name: 'mine', pools: ['pool-b'] })],
    ips: [
      { ip: '203.0.113.10', pool: 'pool-a' },
      { ip: '203.0.113.11', pool: 'pool-b' },
    ],
    want: { here: ['203.0.113.11/32 nh=198.51.100.1'] },
    problems: 1,
  },
  {
    name: 'bad IP is reported, not thrown',
    peers: [peer({ name: 'p1' })],
    advs: [adv({ name: 'a' })],
    ips: [{ ip: 'not-an-ip', pool: 'pool-a' }],
    want: { p1: [] },
    problems: 1,
  },
];

describe('computeRoutes', () => {
  it.each(cases)('$name', (c) => {
    const r = computeRoutes({ peers: c.peers, bgpAdvertisements: c.advs }, node, c.ips);
    const got: Record<string, string[]> = {};
    for (const [name, routes] of r.routes) got[name] = routes.map(show);
    expect(got).toEqual(c.want);
    expect(r.problems.length).toBe(c.problems ?? 0);
  });

  it('leaves the next hop to the session when the node address is unknown', () => {
    const r = computeRoutes(
      { peers: [peer({ name: 'p' })], bgpAdvertisements: [adv({ name: 'a' })] },
      { name: 'n', labels: {} },
      [{ ip: '203.0.113.1', pool: 'pool-a' }],
    );
    expect(r.routes.get('p')?.[0]?.nextHop).toBeUndefined();
  });
});
