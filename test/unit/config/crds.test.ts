import { describe, expect, it } from 'vitest';
import { parseCrds, type Config } from '../../../src/config/index.ts';
import { okConfig, problemLines } from './helpers.ts';

type Obj = Record<string, unknown>;
const NS = 'metallb-system';

function obj(
  kind: string,
  name: string,
  spec: Obj | undefined,
  extra: { apiVersion?: string; labels?: Record<string, string> } = {},
): Obj {
  const metadata: Obj = { name, namespace: NS, uid: 'ignored', resourceVersion: '1' };
  if (extra.labels) metadata.labels = extra.labels;
  const o: Obj = { apiVersion: extra.apiVersion ?? 'metallb.io/v1beta1', kind, metadata };
  if (spec !== undefined) o.spec = spec;
  return o;
}
const pool = (name: string, spec: Obj, labels?: Record<string, string>): Obj =>
  obj('IPAddressPool', name, spec, labels ? { labels } : {});
const l2 = (name: string, spec?: Obj): Obj => obj('L2Advertisement', name, spec);
const bgpAd = (name: string, spec?: Obj): Obj => obj('BGPAdvertisement', name, spec);
const peer = (name: string, spec: Obj, apiVersion = 'metallb.io/v1beta2'): Obj =>
  obj('BGPPeer', name, spec, { apiVersion });
const bfd = (name: string, spec?: Obj): Obj => obj('BFDProfile', name, spec);
const community = (name: string, communities: Obj[]): Obj => obj('Community', name, { communities });

const A = pool('a', { addresses: ['192.0.2.0/25'] }, { tier: 'gold' });
const B = pool('b', { addresses: ['192.0.2.128/25', '2001:db8::/120'] }, { tier: 'silver' });
const R1 = { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1' };

interface ValidCase {
  name: string;
  objects: Obj[];
  check: (c: Config) => void;
}

const valid: ValidCase[] = [
  {
    name: 'pool defaults; advertisement without pools or selectors covers every pool',
    objects: [B, A, l2('all')],
    check: (c) => {
      expect(c.pools.map((p) => p.name)).toEqual(['a', 'b']); // sorted by name
      expect(c.pools[0]).toEqual({
        name: 'a',
        protocols: ['layer2'],
        ranges: [{ family: 'ipv4', first: 0xc0000200n, last: 0xc000027fn, text: '192.0.2.0/25' }],
        autoAssign: true,
        avoidBuggyIPs: false,
        labels: { tier: 'gold' },
      });
      expect(c.l2Advertisements).toEqual([{ name: 'all', pools: ['a', 'b'], nodeSelectors: [], interfaces: [] }]);
    },
  },
  {
    name: 'a pool no advertisement selects has no protocols',
    objects: [A],
    check: (c) => expect(c.pools[0]!.protocols).toEqual([]),
  },
  {
    name: 'pools by name and by selector; protocols from the advertisements that select them',
    objects: [
      A,
      B,
      pool('c', { addresses: ['198.51.100.0/24'] }, { tier: 'gold' }),
      l2('l2', { ipAddressPools: ['b'], interfaces: ['eth0', 'bond0.100'] }),
      bgpAd('gold', { ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }], aggregationLength: 25 }),
      bgpAd('silver', {
        ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['silver'] }] }],
      }),
    ],
    check: (c) => {
      expect(c.pools.map((p) => [p.name, p.protocols])).toEqual([
        ['a', ['bgp']],
        ['b', ['layer2', 'bgp']],
        ['c', ['bgp']],
      ]);
      expect(c.bgpAdvertisements.map((a) => [a.name, a.pools, a.aggregationLength])).toEqual([
        ['gold', ['a', 'c'], 25],
        ['silver', ['b'], 32],
      ]);
      expect(c.l2Advertisements[0]!.interfaces).toEqual(['eth0', 'bond0.100']);
    },
  },
  {
    name: 'serviceAllocation; priority 0 means no priority (MetalLB)',
    objects: [
      pool('p', {
        addresses: ['203.0.113.0/24'],
        autoAssign: false,
        avoidBuggyIPs: true,
        serviceAllocation: {
          priority: 5,
          namespaces: ['blue', 'red'],
          namespaceSelectors: [{ matchLabels: { team: 'x' } }],
          serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }],
        },
      }),
      pool('q', { addresses: ['198.51.100.0/24'], serviceAllocation: { priority: 0 } }),
    ],
    check: (c) => {
      expect(c.pools[0]).toMatchObject({
        autoAssign: false,
        avoidBuggyIPs: true,
        serviceAllocation: {
          priority: 5,
          namespaces: ['blue', 'red'],
          namespaceSelectors: [{ matchLabels: { team: 'x' }, matchExpressions: [] }],
          serviceSelectors: [{ matchLabels: {}, matchExpressions: [{ key: 'app', operator: 'Exists', values: [] }] }],
        },
      });
      expect(c.pools[1]!.serviceAllocation).toEqual({ namespaces: [], namespaceSelectors: [], serviceSelectors: [] });
    },
  },
  {
    name: 'BGP advertisement with everything; communities from Community aliases, literals, large',
    objects: [
      B,
      peer('r1', R1),
      community('c', [
        { name: 'backbone', value: '64500:100' },
        { name: 'big', value: 'large:64500:7:8' },
      ]),
      bgpAd('ad', {
        ipAddressPools: ['b'],
        aggregationLength: 25,
        aggregationLengthV6: 120,
        localPref: 300,
        communities: ['backbone', 'big', '65535:65281', 'no-advertise'],
        peers: ['r1'],
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-1' } }],
      }),
    ],
    check: (c) => {
      expect(c.bgpAdvertisements).toEqual([
        {
          name: 'ad',
          pools: ['b'],
          aggregationLength: 25,
          aggregationLengthV6: 120,
          localPref: 300,
          communities: [
            { kind: 'standard', value: 64500 * 65536 + 100 },
            { kind: 'large', globalAdmin: 64500, localData1: 7, localData2: 8 },
            { kind: 'standard', value: 0xffffff01 },
            { kind: 'standard', value: 0xffffff02 },
          ],
          peers: ['r1'],
          nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-1' }, matchExpressions: [] }],
        },
      ]);
      expect(Object.keys(c.communityAliases)).toEqual(['backbone', 'big']);
    },
  },
  {
    name: 'BGPPeer v1beta2 with every field FerroLB reads',
    objects: [
      bfd('fast', { receiveInterval: 50, detectMultiplier: 4, echoMode: true }),
      peer('r1', {
        myASN: 64500,
        peerASN: 64500,
        peerAddress: '2001:DB8::1',
        peerPort: 1179,
        sourceAddress: '2001:db8::2',
        routerID: '192.0.2.9',
        holdTime: '3m',
        keepaliveTime: '1m',
        passwordSecret: { name: 's', namespace: NS },
        bfdProfile: 'fast',
        vrf: 'red',
        nodeSelectors: [{ matchLabels: { rack: 'a' } }],
        enableGracefulRestart: false, // unsupported but empty: accepted
        disableMP: false,
      }),
    ],
    check: (c) => {
      expect(c.peers).toEqual([
        {
          name: 'r1',
          myASN: 64500,
          peerASN: 64500,
          peerAddress: '2001:db8::1',
          peerPort: 1179,
          sourceAddress: '2001:db8::2',
          routerID: '192.0.2.9',
          holdTime: 180,
          keepaliveTime: 60,
          passwordSecret: { name: 's', namespace: NS },
          bfdProfile: 'fast',
          vrf: 'red',
          ebgpMultiHop: false,
          nodeSelectors: [{ matchLabels: { rack: 'a' }, matchExpressions: [] }],
        },
      ]);
      expect(c.bfdProfiles).toEqual([
        {
          name: 'fast',
          receiveInterval: 50,
          transmitInterval: 300,
          detectMultiplier: 4,
          echoInterval: 50,
          echoMode: true,
          passiveMode: false,
          minimumTtl: 254,
        },
      ]);
    },
  },
  {
    name: 'BGPPeer v1beta1 accepted; a lone keepaliveTime implies holdTime = 3 × keepalive (MetalLB)',
    objects: [peer('r1', { ...R1, keepaliveTime: '20s', password: 'pw', ebgpMultiHop: true }, 'metallb.io/v1beta1')],
    check: (c) =>
      expect(c.peers[0]).toMatchObject({
        holdTime: 60,
        keepaliveTime: 20,
        password: 'pw',
        ebgpMultiHop: true,
        peerPort: 179,
      }),
  },
  {
    name: 'BGPPeer defaults: hold 90s, keepalive 30s',
    objects: [peer('r1', R1)],
    check: (c) =>
      expect(c.peers[0]).toMatchObject({
        holdTime: 90,
        keepaliveTime: 30,
        peerPort: 179,
        ebgpMultiHop: false,
        nodeSelectors: [],
      }),
  },
  {
    name: 'different local preferences are fine with other aggregation, other peers, or other nodes',
    objects: [
      A,
      peer('r1', R1),
      peer('r2', { ...R1, peerAddress: '192.0.2.2' }),
      bgpAd('base', { localPref: 100, peers: ['r1'] }),
      bgpAd('aggregate', { localPref: 200, aggregationLength: 25 }),
      bgpAd('other-peer', { localPref: 300, peers: ['r2'] }),
      bgpAd('r1-only', { localPref: 100, peers: ['r1'] }),
      bgpAd('other-nodes', { localPref: 400, nodeSelectors: [{ matchLabels: { rack: 'b' } }] }),
    ],
    check: (c) => expect(c.bgpAdvertisements.map((a) => a.localPref)).toEqual([200, 100, 400, 300, 100]),
  },
  {
    name: 'status and API-server metadata are ignored',
    objects: [{ ...A, status: { assignedIPv4: 3 } }],
    check: (c) => expect(c.pools).toHaveLength(1),
  },
];

describe('parseCrds: valid object sets', () => {
  for (const c of valid) it(c.name, () => c.check(okConfig(parseCrds(c.objects))));
});

interface InvalidCase {
  name: string;
  objects: unknown[];
  /** Exact formatted problems. */
  problems: string[];
}

const invalid: InvalidCase[] = [
  {
    name: 'unknown spec field with suggestion',
    objects: [pool('a', { addresses: ['192.0.2.0/24'], autoAsign: false })],
    problems: ['IPAddressPool/metallb-system/a:spec.autoAsign: unknown field "autoAsign" (did you mean "autoAssign"?)'],
  },
  {
    name: 'legacy spelling in a CRD gets the CRD name suggested',
    objects: [pool('a', { addresses: ['192.0.2.0/24'], 'avoid-buggy-ips': true })],
    problems: [
      'IPAddressPool/metallb-system/a:spec.avoid-buggy-ips: unknown field "avoid-buggy-ips" (did you mean "avoidBuggyIPs"?)',
    ],
  },
  {
    name: 'a spec field named like a property of every object (v1beta1 BGPPeer: fields checked against a table)',
    objects: [peer('p', { ...R1, toString: 'x' }, 'metallb.io/v1beta1')],
    problems: ['BGPPeer/metallb-system/p:spec.toString: unknown field "toString"'],
  },
  {
    name: 'unknown top-level field',
    objects: [{ ...A, sepc: {} }],
    problems: ['IPAddressPool/metallb-system/a:sepc: unknown field "sepc" (did you mean "spec"?)'],
  },
  {
    name: 'malformed address, naming the index',
    objects: [pool('pool-a', { addresses: ['192.0.2.0/24', '198.51.100.0/24x'] })],
    problems: [
      'IPAddressPool/metallb-system/pool-a:spec.addresses[1]: "198.51.100.0/24x" is not a CIDR: prefix length must be 0..32',
    ],
  },
  {
    name: 'pool without addresses',
    objects: [pool('a', {})],
    problems: ['IPAddressPool/metallb-system/a:spec.addresses: missing required field'],
  },
  {
    name: 'overlapping pools, naming both',
    objects: [A, pool('z', { addresses: ['192.0.2.100-192.0.2.200'] })],
    problems: [
      'IPAddressPool/metallb-system/z:spec.addresses[0]: "192.0.2.100-192.0.2.200" of pool "z" overlaps "192.0.2.0/25" of pool "a"',
    ],
  },
  {
    name: 'duplicate pool name',
    objects: [A, pool('a', { addresses: ['203.0.113.0/24'] })],
    problems: [
      'IPAddressPool/metallb-system/a:metadata.name: duplicate IPAddressPool name "a" (first defined at IPAddressPool/metallb-system/a)',
    ],
  },
  {
    name: 'duplicate namespace in serviceAllocation; bad namespace name',
    objects: [pool('a', { addresses: ['192.0.2.0/24'], serviceAllocation: { namespaces: ['x', 'x', 'Bad_NS'] } })],
    problems: [
      'IPAddressPool/metallb-system/a:spec.serviceAllocation.namespaces[1]: duplicate namespace "x"',
      'IPAddressPool/metallb-system/a:spec.serviceAllocation.namespaces[2]: "Bad_NS" is not a valid namespace name',
    ],
  },
  {
    name: 'advertisement naming an unknown pool, with suggestion',
    objects: [A, l2('l2', { ipAddressPools: ['aa'] })],
    problems: [
      'L2Advertisement/metallb-system/l2:spec.ipAddressPools[0]: unknown IPAddressPool "aa" (did you mean "a"?)',
    ],
  },
  {
    name: 'advertisement naming an unknown peer',
    objects: [A, peer('router-a', R1), bgpAd('ad', { peers: ['router-b', 'router-a'] })],
    problems: [
      'BGPAdvertisement/metallb-system/ad:spec.peers[0]: unknown BGPPeer "router-b" (did you mean "router-a"?)',
    ],
  },
  {
    name: 'duplicate pool in an advertisement',
    objects: [A, l2('l2', { ipAddressPools: ['a', 'a'] })],
    problems: ['L2Advertisement/metallb-system/l2:spec.ipAddressPools[1]: duplicate pool "a"'],
  },
  {
    name: 'aggregation length shorter than a covered pool (via all pools)',
    objects: [A, B, bgpAd('ad', { aggregationLength: 24 })],
    problems: [
      'BGPAdvertisement/metallb-system/ad:spec.aggregationLength: aggregation length 24 is shorter than the /25 prefix of "192.0.2.0/25" in pool "a": the aggregate would cover addresses outside the pool',
    ],
  },
  {
    name: 'aggregation length v6 shorter than a covered pool',
    objects: [B, bgpAd('ad', { ipAddressPools: ['b'], aggregationLengthV6: 64 })],
    problems: [
      'BGPAdvertisement/metallb-system/ad:spec.aggregationLengthV6: aggregation length 64 is shorter than the /120 prefix of "2001:db8::/120" in pool "b": the aggregate would cover addresses outside the pool',
    ],
  },
  {
    name: 'aggregation length out of range (CRD minimum is 1)',
    objects: [bgpAd('ad', { aggregationLength: 0 })],
    problems: ['BGPAdvertisement/metallb-system/ad:spec.aggregationLength: 0 is out of range 1..32'],
  },
  {
    name: 'aggregation length as a string',
    objects: [bgpAd('ad', { aggregationLength: '24' })],
    problems: [
      'BGPAdvertisement/metallb-system/ad:spec.aggregationLength: must be an integer (got string "24"; remove the quotes)',
    ],
  },
  {
    name: 'a community named like a property of every object',
    objects: [community('c', [{ name: 'backbone', value: '1:1' }]), bgpAd('ad', { communities: ['valueOf'] })],
    problems: ['BGPAdvertisement/metallb-system/ad:spec.communities[0]: unknown community alias "valueOf"'],
  },
  {
    name: 'unknown community alias',
    objects: [community('c', [{ name: 'backbone', value: '1:1' }]), bgpAd('ad', { communities: ['bakbone'] })],
    problems: [
      'BGPAdvertisement/metallb-system/ad:spec.communities[0]: unknown community alias "bakbone" (did you mean "backbone"?)',
    ],
  },
  {
    name: 'malformed Community value and duplicate alias',
    objects: [
      community('c1', [{ name: 'x', value: '1:1' }]),
      community('c2', [
        { name: 'x', value: '2:2' },
        { name: 'y', value: '1:2:3:4' },
      ]),
    ],
    problems: [
      'Community/metallb-system/c2:spec.communities[1].value: invalid community "1:2:3:4": expected "<AS>:<value>" (each 0..65535), "large:<a>:<b>:<c>" or a well-known name',
      'Community/metallb-system/c2:spec.communities[0].name: duplicate community alias "x" (first defined in Community/metallb-system/c1)',
    ],
  },
  {
    name: 'BGPPeer: ASN out of range, missing address',
    objects: [peer('r', { myASN: 4294967296, peerASN: 0 })],
    problems: [
      'BGPPeer/metallb-system/r:spec.myASN: 4294967296 is out of range 1..4294967295',
      'BGPPeer/metallb-system/r:spec.peerASN: 0 is out of range 1..4294967295',
      'BGPPeer/metallb-system/r:spec.peerAddress: missing required field',
    ],
  },
  {
    name: 'BGPPeer: hold time not 0 and below 3s',
    objects: [peer('r', { ...R1, holdTime: '2500ms' })],
    problems: [
      'BGPPeer/metallb-system/r:spec.holdTime: hold time 2s is invalid: must be 0 (no keepalives) or at least 3s',
    ],
  },
  {
    name: 'BGPPeer: keepalive not below hold time',
    objects: [peer('r', { ...R1, holdTime: '9s', keepaliveTime: '10s' })],
    problems: [
      'BGPPeer/metallb-system/r:spec.keepaliveTime: keepalive time 10s must be lower than the hold time 9s (RFC 4271 suggests one third)',
    ],
  },
  {
    name: 'BGPPeer: duration as a number',
    objects: [peer('r', { ...R1, holdTime: 90 })],
    problems: ['BGPPeer/metallb-system/r:spec.holdTime: must be a string (got number 90; quote it)'],
  },
  {
    name: 'BGPPeer: ebgpMultiHop on iBGP',
    objects: [peer('r', { ...R1, peerASN: 64500, ebgpMultiHop: true })],
    problems: [
      'BGPPeer/metallb-system/r:spec.ebgpMultiHop: eBGP multi-hop cannot be set on an iBGP peer (local and peer ASN are both 64500)',
    ],
  },
  {
    name: 'BGPPeer: password together with passwordSecret',
    objects: [peer('r', { ...R1, password: 'x', passwordSecret: { name: 's' } })],
    problems: [
      'BGPPeer/metallb-system/r:spec.passwordSecret: password and passwordSecret are mutually exclusive: set only one',
    ],
  },
  {
    name: 'BGPPeer: unknown BFD profile',
    objects: [bfd('fast'), peer('r', { ...R1, bfdProfile: 'slow' })],
    problems: ['BGPPeer/metallb-system/r:spec.bfdProfile: unknown BFDProfile "slow"'],
  },
  {
    name: 'BGPPeer: v1beta2 field under v1beta1',
    objects: [peer('r', { ...R1, vrf: 'red' }, 'metallb.io/v1beta1')],
    problems: ['BGPPeer/metallb-system/r:spec.vrf: "vrf" needs apiVersion metallb.io/v1beta2'],
  },
  {
    name: 'BGPPeer: MetalLB feature FerroLB does not support, set',
    objects: [peer('r', { ...R1, connectTime: '5s' })],
    problems: [
      'BGPPeer/metallb-system/r:spec.connectTime: "connectTime" is a MetalLB feature FerroLB does not support yet; remove it',
    ],
  },
  {
    name: 'BGPPeer: router ID and source address',
    objects: [peer('r', { ...R1, routerID: '2001:db8::9', sourceAddress: '2001:db8::2' })],
    problems: [
      'BGPPeer/metallb-system/r:spec.routerID: "2001:db8::9" is not an IPv4 address (the BGP router ID is 32 bits, written as IPv4)',
      'BGPPeer/metallb-system/r:spec.sourceAddress: source address 2001:db8::2 and peer address 192.0.2.1 are of different IP families',
    ],
  },
  {
    name: 'BFDProfile ranges',
    objects: [bfd('b', { receiveInterval: 5, transmitInterval: 60001, minimumTtl: 255, echoMode: 'yes' })],
    problems: [
      'BFDProfile/metallb-system/b:spec.receiveInterval: 5 is out of range 10..60000',
      'BFDProfile/metallb-system/b:spec.transmitInterval: 60001 is out of range 10..60000',
      'BFDProfile/metallb-system/b:spec.echoMode: must be true or false (got string "yes")',
      'BFDProfile/metallb-system/b:spec.minimumTtl: 255 is out of range 1..254',
    ],
  },
  {
    name: 'duplicate BFDProfile',
    objects: [bfd('b'), bfd('b')],
    problems: [
      'BFDProfile/metallb-system/b:metadata.name: duplicate BFDProfile name "b" (first defined at BFDProfile/metallb-system/b)',
    ],
  },
  {
    name: 'L2Advertisement interfaces and selectors',
    objects: [
      l2('l2', {
        interfaces: ['eth0', 'eth0', 'a-very-long-interface-name'],
        nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }],
      }),
    ],
    problems: [
      'L2Advertisement/metallb-system/l2:spec.nodeSelectors[0].matchExpressions[0].values: operator Exists takes no values',
      'L2Advertisement/metallb-system/l2:spec.interfaces[1]: duplicate interface "eth0"',
      'L2Advertisement/metallb-system/l2:spec.interfaces[2]: "a-very-long-interface-name" is not a valid interface name (1..15 characters, no "/", ":" or spaces)',
    ],
  },
  {
    name: 'duplicate selectors',
    objects: [l2('l2', { ipAddressPoolSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] })],
    problems: [
      'L2Advertisement/metallb-system/l2:spec.ipAddressPoolSelectors[1]: duplicate of spec.ipAddressPoolSelectors[0]',
    ],
  },
  {
    name: 'conflicting local preference for the same prefixes, peers and nodes (MetalLB)',
    objects: [
      A,
      bgpAd('one', { ipAddressPools: ['a'], localPref: 100 }),
      bgpAd('two', { ipAddressPools: ['a'], localPref: 200 }),
    ],
    problems: [
      'BGPAdvertisement/metallb-system/two:spec.localPref: local preference 200 conflicts with 100 of BGPAdvertisement "one" for pool "a": both announce the same prefixes to the same peers from the same nodes',
    ],
  },
  {
    name: 'wrong apiVersion for the kind',
    objects: [obj('IPAddressPool', 'a', { addresses: ['192.0.2.0/24'] }, { apiVersion: 'metallb.io/v1beta2' })],
    problems: [
      'IPAddressPool/metallb-system/a:apiVersion: IPAddressPool needs apiVersion metallb.io/v1beta1 (got metallb.io/v1beta2)',
    ],
  },
  {
    name: 'unknown metallb.io kind, with suggestion',
    objects: [obj('IPAdressPool', 'a', {})],
    problems: [
      'IPAdressPool/metallb-system/a:kind: unknown metallb.io kind "IPAdressPool" (did you mean "IPAddressPool"?)',
    ],
  },
  {
    name: 'a kind named like a property of every object',
    objects: [obj('valueOf', 'a', {}), obj('__proto__', 'b', {})],
    problems: [
      'valueOf/metallb-system/a:kind: unknown metallb.io kind "valueOf"',
      '__proto__/metallb-system/b:kind: unknown metallb.io kind "__proto__"',
    ],
  },
  {
    name: 'deprecated AddressPool',
    objects: [obj('AddressPool', 'a', { protocol: 'layer2', addresses: ['192.0.2.0/24'] })],
    problems: [
      'AddressPool/metallb-system/a:kind: AddressPool is deprecated in MetalLB and not read by FerroLB: use an IPAddressPool plus an L2Advertisement or BGPAdvertisement',
    ],
  },
  {
    name: 'missing name; not an object',
    objects: [{ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: {} }, 42],
    problems: [
      'BFDProfile/<unnamed #0>:metadata.name: missing required field',
      'object/<unnamed #1>:(object): must be a Kubernetes object (got number 42)',
    ],
  },
  {
    name: 'labels must be valid',
    objects: [pool('a', { addresses: ['192.0.2.0/24'] }, { 'Bad Key': 'x' })],
    problems: [
      'IPAddressPool/metallb-system/a:metadata.labels.Bad Key: invalid label key "Bad Key": name must be 1..63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric',
    ],
  },
];

describe('parseCrds: invalid object sets', () => {
  for (const c of invalid) it(c.name, () => expect(problemLines(parseCrds(c.objects))).toEqual(c.problems));

  it('reports every problem of every object at once', () => {
    const lines = problemLines(
      parseCrds([
        pool('a', { addresses: ['192.0.2.0/24', 'nope'], autoAsign: true }),
        pool('b', { addresses: ['192.0.2.128/26'] }),
        peer('r', { ...R1, holdTime: '1s', bfdProfile: 'x' }),
        bgpAd('ad', { ipAddressPools: ['c'], communities: ['1:99999'] }),
      ]),
    );
    expect(lines).toEqual([
      'IPAddressPool/metallb-system/a:spec.autoAsign: unknown field "autoAsign" (did you mean "autoAssign"?)',
      'IPAddressPool/metallb-system/a:spec.addresses[1]: "nope" is neither a CIDR ("192.0.2.0/24") nor a range ("192.0.2.10-192.0.2.20")',
      'IPAddressPool/metallb-system/b:spec.addresses[0]: "192.0.2.128/26" of pool "b" overlaps "192.0.2.0/24" of pool "a"',
      'BGPPeer/metallb-system/r:spec.holdTime: hold time 1s is invalid: must be 0 (no keepalives) or at least 3s',
      'BGPPeer/metallb-system/r:spec.bfdProfile: unknown BFDProfile "x"',
      'BGPAdvertisement/metallb-system/ad:spec.ipAddressPools[0]: unknown IPAddressPool "c"',
      'BGPAdvertisement/metallb-system/ad:spec.communities[0]: invalid community "1:99999": "99999" is not a number in 0..65535',
    ]);
  });

  it("uses the caller's where()", () => {
    const lines = problemLines(parseCrds([pool('a', {})], (o) => `api:${(o as { kind: string }).kind}`));
    expect(lines).toEqual(['api:IPAddressPool:spec.addresses: missing required field']);
  });
});
