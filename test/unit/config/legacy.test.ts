import { describe, expect, it } from 'vitest';
import { parseConfigMap, type Config } from '../../../src/config/index.ts';
import { okConfig, problemLines } from './helpers.ts';

const W = 'config.yaml';

/** Indents a bare legacy config under `data.config: |` of a ConfigMap manifest. */
function asConfigMap(legacy: string): string {
  const body = legacy
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n  namespace: metallb-system\ndata:\n  config: |\n${body}\n`;
}

interface ValidCase {
  name: string;
  yaml: string;
  check: (c: Config) => void;
}

const valid: ValidCase[] = [
  {
    name: 'empty document is an empty configuration',
    yaml: '',
    check: (c) =>
      expect(c).toEqual({
        pools: [],
        bgpAdvertisements: [],
        l2Advertisements: [],
        peers: [],
        bfdProfiles: [],
        communityAliases: {},
      }),
  },
  {
    name: 'layer2 pool with CIDR and range, defaults, implicit L2Advertisement',
    yaml: `
address-pools:
- name: lan
  protocol: layer2
  addresses: [192.0.2.0/28, 192.0.2.100-192.0.2.110, 2001:db8::/126]
`,
    check: (c) => {
      expect(c.pools).toEqual([
        {
          name: 'lan',
          protocols: ['layer2'],
          ranges: [
            { family: 'ipv4', first: 0xc0000200n, last: 0xc000020fn, text: '192.0.2.0/28' },
            { family: 'ipv4', first: 0xc0000264n, last: 0xc000026en, text: '192.0.2.100-192.0.2.110' },
            {
              family: 'ipv6',
              first: (0x20010db8n << 96n) + 1n /* the Subnet-Router anycast :: is skipped */,
              last: (0x20010db8n << 96n) + 3n,
              text: '2001:db8::/126',
            },
          ],
          autoAssign: true,
          avoidBuggyIPs: false,
          labels: {},
        },
      ]);
      expect(c.l2Advertisements).toEqual([{ name: 'lan-l2', pools: ['lan'], nodeSelectors: [], interfaces: [] }]);
      expect(c.bgpAdvertisements).toEqual([]);
    },
  },
  {
    name: 'host bits of a CIDR are cleared as Go does',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.7/24]}\n',
    check: (c) => expect(c.pools[0]!.ranges[0]).toMatchObject({ first: 0xc0000200n, last: 0xc00002ffn }),
  },
  {
    name: 'bgp pool without bgp-advertisements gets one default advertisement',
    yaml: 'address-pools:\n- {name: pub, protocol: bgp, addresses: [198.51.100.0/24], auto-assign: false, avoid-buggy-ips: true}\n',
    check: (c) => {
      expect(c.pools[0]).toMatchObject({ protocols: ['bgp'], autoAssign: false, avoidBuggyIPs: true });
      expect(c.bgpAdvertisements).toEqual([
        {
          name: 'pub-bgp0',
          pools: ['pub'],
          peers: [],
          nodeSelectors: [],
          aggregationLength: 32,
          aggregationLengthV6: 128,
          communities: [],
        },
      ]);
      expect(c.l2Advertisements).toEqual([]);
    },
  },
  {
    name: 'bgp advertisements: aggregation, localpref, communities by alias, literal, large, well-known',
    yaml: `
bgp-communities:
  backbone: 64500:100
  big: large:64500:1:2
address-pools:
- name: pub
  protocol: bgp
  addresses: [198.51.100.0/24, 2001:db8:1::/64]
  bgp-advertisements:
  - aggregation-length: 24
    aggregation-length-v6: 64
    localpref: 150
    communities: [backbone, big, "65535:666", no-export, large:1:2:3]
  - {}
`,
    check: (c) => {
      expect(c.communityAliases).toEqual({
        backbone: { kind: 'standard', value: 64500 * 65536 + 100 },
        big: { kind: 'large', globalAdmin: 64500, localData1: 1, localData2: 2 },
      });
      expect(c.bgpAdvertisements).toEqual([
        {
          name: 'pub-bgp0',
          pools: ['pub'],
          peers: [],
          nodeSelectors: [],
          aggregationLength: 24,
          aggregationLengthV6: 64,
          localPref: 150,
          communities: [
            { kind: 'standard', value: 64500 * 65536 + 100 },
            { kind: 'large', globalAdmin: 64500, localData1: 1, localData2: 2 },
            { kind: 'standard', value: 0xffff029a },
            { kind: 'standard', value: 0xffffff01 },
            { kind: 'large', globalAdmin: 1, localData1: 2, localData2: 3 },
          ],
        },
        {
          name: 'pub-bgp1',
          pools: ['pub'],
          peers: [],
          nodeSelectors: [],
          aggregationLength: 32,
          aggregationLengthV6: 128,
          communities: [],
        },
      ]);
    },
  },
  {
    name: 'aggregation length equal to the shortest prefix of a range is accepted',
    // 192.0.2.8-192.0.2.23 = 192.0.2.8/29 + 192.0.2.16/29: shortest prefix 29.
    yaml: 'address-pools:\n- {name: a, protocol: bgp, addresses: [192.0.2.8-192.0.2.23], bgp-advertisements: [{aggregation-length: 29}]}\n',
    check: (c) => expect(c.bgpAdvertisements[0]!.aggregationLength).toBe(29),
  },
  {
    name: 'peer with every field',
    yaml: `
bfd-profiles:
- name: fast
  receive-interval: 100
  transmit-interval: 120
  detect-multiplier: 5
  echo-interval: 60
  echo-mode: true
  passive-mode: true
  minimum-ttl: 200
peers:
- peer-address: 192.0.2.1
  peer-asn: 64501
  my-asn: 4200000000
  peer-port: 1179
  hold-time: 1m30s
  keepalive-time: 20s
  router-id: 192.0.2.10
  source-address: 192.0.2.2
  password: secret
  bfd-profile: fast
  ebgp-multihop: true
  node-selectors:
  - match-labels: {rack: a}
    match-expressions:
    - {key: kubernetes.io/os, operator: In, values: [linux]}
    - {key: spot, operator: DoesNotExist}
`,
    check: (c) => {
      expect(c.bfdProfiles).toEqual([
        {
          name: 'fast',
          receiveInterval: 100,
          transmitInterval: 120,
          detectMultiplier: 5,
          echoInterval: 60,
          echoMode: true,
          passiveMode: true,
          minimumTtl: 200,
        },
      ]);
      expect(c.peers).toEqual([
        {
          name: 'peer0-192.0.2.1',
          myASN: 4200000000,
          peerASN: 64501,
          peerAddress: '192.0.2.1',
          peerPort: 1179,
          holdTime: 90,
          keepaliveTime: 20,
          routerID: '192.0.2.10',
          sourceAddress: '192.0.2.2',
          password: 'secret',
          bfdProfile: 'fast',
          ebgpMultiHop: true,
          nodeSelectors: [
            {
              matchLabels: { rack: 'a' },
              matchExpressions: [
                { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
                { key: 'spot', operator: 'DoesNotExist', values: [] },
              ],
            },
          ],
        },
      ]);
    },
  },
  {
    name: 'peer defaults: port 179, hold 90s, keepalive a third; IPv6 address canonicalized',
    yaml: 'peers:\n- {peer-address: "2001:DB8:0::1", peer-asn: 64500, my-asn: 64500}\n',
    check: (c) =>
      expect(c.peers[0]).toEqual({
        name: 'peer0-2001:db8::1',
        myASN: 64500,
        peerASN: 64500,
        peerAddress: '2001:db8::1',
        peerPort: 179,
        holdTime: 90,
        keepaliveTime: 30,
        ebgpMultiHop: false,
        nodeSelectors: [],
      }),
  },
  {
    name: 'hold time 0 disables keepalives; fractional durations round down like MetalLB',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 1, my-asn: 2, hold-time: 0}\n- {peer-address: 192.0.2.2, peer-asn: 1, my-asn: 2, hold-time: 9.9s, keepalive-time: 1500ms}\n',
    check: (c) => {
      expect(c.peers.map((p) => [p.holdTime, p.keepaliveTime])).toEqual([
        [0, 0],
        [9, 1],
      ]);
    },
  },
  {
    name: 'empty optional strings mean unset, as in MetalLB',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 1, my-asn: 2, router-id: "", source-address: "", password: "", bfd-profile: ""}\n',
    check: (c) =>
      expect(Object.keys(c.peers[0]!).sort()).toEqual([
        'ebgpMultiHop',
        'holdTime',
        'keepaliveTime',
        'myASN',
        'name',
        'nodeSelectors',
        'peerASN',
        'peerAddress',
        'peerPort',
      ]),
  },
  {
    name: 'BFD profile defaults',
    yaml: 'bfd-profiles:\n- name: plain\n',
    check: (c) =>
      expect(c.bfdProfiles).toEqual([
        {
          name: 'plain',
          receiveInterval: 300,
          transmitInterval: 300,
          detectMultiplier: 3,
          echoInterval: 50,
          echoMode: false,
          passiveMode: false,
          minimumTtl: 254,
        },
      ]),
  },
];

describe('parseConfigMap: valid legacy configurations', () => {
  for (const c of valid) {
    it(`${c.name} (bare)`, () => c.check(okConfig(parseConfigMap(c.yaml, W))));
    it(`${c.name} (in a ConfigMap)`, () => c.check(okConfig(parseConfigMap(asConfigMap(c.yaml || '{}'), W))));
  }
});

interface InvalidCase {
  name: string;
  yaml: string;
  /** Exact `<path>: <message>` of the one problem expected (where is always config.yaml). */
  problem: string;
}

const pool = (extra: string): string =>
  `address-pools:\n- name: a\n  protocol: bgp\n  addresses: [192.0.2.0/24]\n${extra}`;
const peer = (fields: string): string =>
  `peers:\n- {peer-address: 192.0.2.1, peer-asn: 64501, my-asn: 64500, ${fields}}\n`;

const invalid: InvalidCase[] = [
  {
    name: 'unknown field with suggestion',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/24], auto-asign: false}\n',
    problem: 'address-pools[0].auto-asign: unknown field "auto-asign" (did you mean "auto-assign"?)',
  },
  {
    name: 'CRD spelling in the legacy format gets the legacy name suggested',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/24], autoAssign: false}\n',
    problem: 'address-pools[0].autoAssign: unknown field "autoAssign" (did you mean "auto-assign"?)',
  },
  {
    name: 'unknown top-level key',
    yaml: 'adress-pools: []\n',
    problem: 'adress-pools: unknown field "adress-pools" (did you mean "address-pools"?)',
  },
  {
    name: 'top level not a mapping',
    yaml: '- a\n- b\n',
    problem:
      '(top level): the legacy MetalLB configuration must be a mapping with address-pools, peers, ... (got a list)',
  },
  {
    name: 'missing pool name',
    yaml: 'address-pools:\n- {protocol: layer2, addresses: [192.0.2.0/24]}\n',
    problem: 'address-pools[0].name: missing required field',
  },
  {
    name: 'missing protocol',
    yaml: 'address-pools:\n- {name: a, addresses: [192.0.2.0/24]}\n',
    problem: 'address-pools[0].protocol: missing required field',
  },
  {
    name: 'unknown protocol',
    yaml: 'address-pools:\n- {name: a, protocol: Layer2, addresses: [192.0.2.0/24]}\n',
    problem: 'address-pools[0].protocol: unknown protocol "Layer2": use layer2 or bgp (did you mean "layer2"?)',
  },
  {
    name: 'missing addresses',
    yaml: 'address-pools:\n- {name: a, protocol: layer2}\n',
    problem: 'address-pools[0].addresses: missing required field',
  },
  {
    name: 'empty addresses',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: []}\n',
    problem: 'address-pools[0].addresses: a pool needs at least one CIDR or range',
  },
  {
    name: 'malformed CIDR',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/33]}\n',
    problem: 'address-pools[0].addresses[0]: "192.0.2.0/33" is not a CIDR: prefix length must be 0..32',
  },
  {
    name: 'not an address at all',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [lan]}\n',
    problem:
      'address-pools[0].addresses[0]: "lan" is neither a CIDR ("192.0.2.0/24") nor a range ("192.0.2.10-192.0.2.20")',
  },
  {
    name: 'single address',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: ["2001:db8::5"]}\n',
    problem:
      'address-pools[0].addresses[0]: "2001:db8::5" is a single address, not a CIDR or range (write "2001:db8::5/128")',
  },
  {
    name: 'range first > last',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.20-192.0.2.10]}\n',
    problem:
      'address-pools[0].addresses[0]: invalid IP range "192.0.2.20-192.0.2.10": first address 192.0.2.20 is after last address 192.0.2.10',
  },
  {
    name: 'range mixing families',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: ["192.0.2.1-2001:db8::1"]}\n',
    problem: 'address-pools[0].addresses[0]: invalid IP range "192.0.2.1-2001:db8::1": mixes IPv4 and IPv6',
  },
  {
    name: 'range with a bad end',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.1-192.0.2.256]}\n',
    problem:
      'address-pools[0].addresses[0]: invalid IP range "192.0.2.1-192.0.2.256": "192.0.2.256" is not an IP address',
  },
  {
    name: 'pools overlapping, naming both pools',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/24]}\n- {name: b, protocol: layer2, addresses: [198.51.100.0/24, 192.0.2.128-192.0.2.130]}\n',
    problem: 'address-pools[1].addresses[1]: "192.0.2.128-192.0.2.130" of pool "b" overlaps "192.0.2.0/24" of pool "a"',
  },
  {
    name: 'ranges overlapping inside one pool',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: ["2001:db8::/64", "2001:db8::5-2001:db8::9"]}\n',
    problem:
      'address-pools[0].addresses[1]: "2001:db8::5-2001:db8::9" of pool "a" overlaps "2001:db8::/64" in the same pool',
  },
  {
    name: 'duplicate pool name',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/25]}\n- {name: a, protocol: layer2, addresses: [192.0.2.128/25]}\n',
    problem: 'address-pools[1].name: duplicate pool name "a" (first defined at address-pools[0].name)',
  },
  {
    name: 'bgp-advertisements in a layer2 pool',
    yaml: 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/24], bgp-advertisements: [{}]}\n',
    problem: 'address-pools[0].bgp-advertisements: bgp-advertisements is only allowed in a pool with protocol bgp',
  },
  {
    name: 'aggregation length shorter than the CIDR',
    yaml: pool('  bgp-advertisements: [{aggregation-length: 23}]\n'),
    problem:
      'address-pools[0].bgp-advertisements[0].aggregation-length: aggregation length 23 is shorter than the /24 prefix of "192.0.2.0/24" in pool "a": the aggregate would cover addresses outside the pool',
  },
  {
    name: 'aggregation length shorter than a range summary',
    yaml: 'address-pools:\n- {name: a, protocol: bgp, addresses: [192.0.2.8-192.0.2.23], bgp-advertisements: [{aggregation-length: 28}]}\n',
    problem:
      'address-pools[0].bgp-advertisements[0].aggregation-length: aggregation length 28 is shorter than the /29 prefix of "192.0.2.8-192.0.2.23" in pool "a": the aggregate would cover addresses outside the pool',
  },
  {
    name: 'aggregation length out of range',
    yaml: pool('  bgp-advertisements: [{aggregation-length: 33}]\n'),
    problem: 'address-pools[0].bgp-advertisements[0].aggregation-length: 33 is out of range 0..32',
  },
  {
    name: 'aggregation length v6 out of range',
    yaml: pool('  bgp-advertisements: [{aggregation-length-v6: 129}]\n'),
    problem: 'address-pools[0].bgp-advertisements[0].aggregation-length-v6: 129 is out of range 0..128',
  },
  {
    name: 'localpref beyond uint32',
    yaml: pool('  bgp-advertisements: [{localpref: 4294967296}]\n'),
    problem: 'address-pools[0].bgp-advertisements[0].localpref: 4294967296 is out of range 0..4294967295',
  },
  {
    name: 'unknown community alias with suggestion',
    yaml: `bgp-communities: {backbone: "64500:1"}\n${pool('  bgp-advertisements: [{communities: [backbon]}]\n')}`,
    problem:
      'address-pools[0].bgp-advertisements[0].communities[0]: unknown community alias "backbon" (did you mean "backbone"?)',
  },
  {
    name: 'community value out of range',
    yaml: pool('  bgp-advertisements: [{communities: ["65536:1"]}]\n'),
    problem:
      'address-pools[0].bgp-advertisements[0].communities[0]: invalid community "65536:1": "65536" is not a number in 0..65535',
  },
  {
    name: 'large community value out of range',
    yaml: pool('  bgp-advertisements: [{communities: ["large:1:2:4294967296"]}]\n'),
    problem:
      'address-pools[0].bgp-advertisements[0].communities[0]: invalid large community "large:1:2:4294967296": "4294967296" is not a number in 0..4294967295',
  },
  {
    name: 'malformed alias definition',
    yaml: 'bgp-communities: {bad: "1:2:3"}\n',
    problem:
      'bgp-communities.bad: invalid community "1:2:3": expected "<AS>:<value>" (each 0..65535), "large:<a>:<b>:<c>" or a well-known name',
  },
  {
    name: 'missing my-asn',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 1}\n',
    problem: 'peers[0].my-asn: missing required field',
  },
  {
    name: 'missing peer-address',
    yaml: 'peers:\n- {my-asn: 1, peer-asn: 1}\n',
    problem: 'peers[0].peer-address: missing required field',
  },
  {
    name: 'ASN 0',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 0, my-asn: 1}\n',
    problem: 'peers[0].peer-asn: 0 is out of range 1..4294967295',
  },
  {
    name: 'ASN beyond 32 bits',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 1, my-asn: 4294967296}\n',
    problem: 'peers[0].my-asn: 4294967296 is out of range 1..4294967295',
  },
  {
    name: 'ASN as a string',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: "64500", my-asn: 1}\n',
    problem: 'peers[0].peer-asn: must be an integer (got string "64500"; remove the quotes)',
  },
  {
    name: 'bad peer address',
    yaml: peer('x: 1').replace('192.0.2.1', '192.0.2.999').replace(', x: 1', ''),
    problem: 'peers[0].peer-address: "192.0.2.999" is not an IP address',
  },
  { name: 'port 0', yaml: peer('peer-port: 0'), problem: 'peers[0].peer-port: 0 is out of range 1..65535' },
  {
    name: 'port too large',
    yaml: peer('peer-port: 65536'),
    problem: 'peers[0].peer-port: 65536 is out of range 1..65535',
  },
  {
    name: 'hold time below 3s',
    yaml: peer('hold-time: 2s'),
    problem: 'peers[0].hold-time: hold time 2s is invalid: must be 0 (no keepalives) or at least 3s',
  },
  {
    name: 'hold time without unit',
    yaml: peer('hold-time: 90'),
    problem: 'peers[0].hold-time: "90" has no unit (write "90s" for seconds)',
  },
  {
    name: 'hold time garbage',
    yaml: peer('hold-time: soon'),
    problem: 'peers[0].hold-time: "soon" is not a duration (expected e.g. "90s" or "1m30s")',
  },
  {
    name: 'hold time bad unit',
    yaml: peer('hold-time: 90sec'),
    problem: 'peers[0].hold-time: "90sec" is not a duration: unknown unit "sec" (use ns, us, ms, s, m or h)',
  },
  {
    name: 'keepalive equal to hold time',
    yaml: peer('hold-time: 30s, keepalive-time: 30s'),
    problem:
      'peers[0].keepalive-time: keepalive time 30s must be lower than the hold time 30s (RFC 4271 suggests one third)',
  },
  {
    name: 'keepalive above the default hold time',
    yaml: peer('keepalive-time: 2m'),
    problem:
      'peers[0].keepalive-time: keepalive time 120s must be lower than the hold time 90s (RFC 4271 suggests one third)',
  },
  {
    name: 'ebgp-multihop on an iBGP peer',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 64500, my-asn: 64500, ebgp-multihop: true}\n',
    problem: 'peers[0].ebgp-multihop: eBGP multi-hop cannot be set on an iBGP peer (local and peer ASN are both 64500)',
  },
  {
    name: 'ebgp-multihop not a bool',
    yaml: peer('ebgp-multihop: "yes"'),
    problem: 'peers[0].ebgp-multihop: must be true or false (got string "yes")',
  },
  {
    name: 'router-id not IPv4',
    yaml: peer('router-id: "2001:db8::1"'),
    problem: 'peers[0].router-id: "2001:db8::1" is not an IPv4 address (the BGP router ID is 32 bits, written as IPv4)',
  },
  {
    name: 'bad source address',
    yaml: peer('source-address: here'),
    problem: 'peers[0].source-address: "here" is not an IP address',
  },
  {
    name: 'source address of the other family',
    yaml: peer('source-address: "2001:db8::2"'),
    problem:
      'peers[0].source-address: source address 2001:db8::2 and peer address 192.0.2.1 are of different IP families',
  },
  {
    name: 'password as a number',
    yaml: peer('password: 1234'),
    problem: 'peers[0].password: must be a string (got number 1234; quote it)',
  },
  {
    name: 'unknown BFD profile',
    yaml: `bfd-profiles: [{name: fast}]\n${peer('bfd-profile: fats')}`,
    problem: 'peers[0].bfd-profile: unknown BFD profile "fats" (did you mean "fast"?)',
  },
  {
    name: 'BFD value out of range',
    yaml: 'bfd-profiles:\n- {name: fast, detect-multiplier: 1}\n',
    problem: 'bfd-profiles[0].detect-multiplier: 1 is out of range 2..255',
  },
  {
    name: 'duplicate BFD profile',
    yaml: 'bfd-profiles:\n- {name: fast}\n- {name: fast}\n',
    problem: 'bfd-profiles[1].name: duplicate BFD profile name "fast" (first defined at bfd-profiles[0].name)',
  },
  {
    name: 'identical peers',
    yaml: 'peers:\n- {peer-address: 192.0.2.1, peer-asn: 1, my-asn: 2}\n- {peer-address: 192.0.2.1, peer-asn: 1, my-asn: 2}\n',
    problem: 'peers[1]: same peer as peers[0]',
  },
  {
    name: 'selector operator with suggestion',
    yaml: peer('node-selectors: [{match-expressions: [{key: a, operator: in, values: [b]}]}]'),
    problem:
      'peers[0].node-selectors[0].match-expressions[0].operator: "in" is not a valid operator: use In, NotIn, Exists or DoesNotExist (did you mean "In"?)',
  },
  {
    name: 'selector In without values',
    yaml: peer('node-selectors: [{match-expressions: [{key: a, operator: In}]}]'),
    problem: 'peers[0].node-selectors[0].match-expressions[0].values: operator In needs at least one value',
  },
  {
    name: 'selector Exists with values',
    yaml: peer('node-selectors: [{match-expressions: [{key: a, operator: Exists, values: [x]}]}]'),
    problem: 'peers[0].node-selectors[0].match-expressions[0].values: operator Exists takes no values',
  },
  {
    name: 'selector with an invalid label key',
    yaml: peer('node-selectors: [{match-labels: {"-bad": x}}]'),
    problem:
      'peers[0].node-selectors[0].match-labels.-bad: invalid label key "-bad": name must be 1..63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric',
  },
  {
    name: 'CRD selector spelling in the legacy format',
    yaml: peer('node-selectors: [{matchLabels: {a: b}}]'),
    problem: 'peers[0].node-selectors[0].matchLabels: unknown field "matchLabels" (did you mean "match-labels"?)',
  },
  {
    name: 'a list where a mapping is needed',
    yaml: 'peers: {a: 1}\n',
    problem: 'peers: must be a list (got a mapping)',
  },
  {
    name: 'duplicate YAML key',
    yaml: 'peers: []\npeers: []\n',
    problem: '2:1: YAML syntax error: Map keys must be unique',
  },
];

describe('parseConfigMap: invalid legacy configurations', () => {
  for (const c of invalid) {
    it(c.name, () => {
      expect(problemLines(parseConfigMap(c.yaml, W))).toEqual([`${W}:${c.problem}`]);
    });
  }
});

describe('parseConfigMap: manifests', () => {
  it('reports every problem at once', () => {
    const yaml = asConfigMap(`
peers:
- peer-address: 192.0.2.1
  peer-asn: 64500
  my-asn: 64500
  ebgp-multihop: true
  hold-time: 1s
bgp-communities:
  bad: "70000:1"
address-pools:
- name: a
  protocol: layer3
  auto-asign: false
  addresses: [192.0.2.0/24, 192.0.2.20-192.0.2.10]
- name: b
  protocol: bgp
  addresses: [192.0.2.128/25]
  bgp-advertisements:
  - aggregation-length: 16
    communities: [nope]
`);
    expect(problemLines(parseConfigMap(yaml, 'cm.yaml'))).toEqual([
      'cm.yaml:bgp-communities.bad: invalid community "70000:1": "70000" is not a number in 0..65535',
      'cm.yaml:address-pools[0].auto-asign: unknown field "auto-asign" (did you mean "auto-assign"?)',
      'cm.yaml:address-pools[0].protocol: unknown protocol "layer3": use layer2 or bgp (did you mean "layer2"?)',
      'cm.yaml:address-pools[0].addresses[1]: invalid IP range "192.0.2.20-192.0.2.10": first address 192.0.2.20 is after last address 192.0.2.10',
      'cm.yaml:address-pools[1].bgp-advertisements[0].aggregation-length: aggregation length 16 is shorter than the /25 prefix of "192.0.2.128/25" in pool "b": the aggregate would cover addresses outside the pool',
      'cm.yaml:address-pools[1].bgp-advertisements[0].communities[0]: unknown community alias "nope"',
      'cm.yaml:address-pools[1].addresses[0]: "192.0.2.128/25" of pool "b" overlaps "192.0.2.0/24" of pool "a"',
      'cm.yaml:peers[0].hold-time: hold time 1s is invalid: must be 0 (no keepalives) or at least 3s',
      'cm.yaml:peers[0].ebgp-multihop: eBGP multi-hop cannot be set on an iBGP peer (local and peer ASN are both 64500)',
    ]);
  });

  it('reports YAML syntax errors inside data.config at their line:column in the file', () => {
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  config: |\n    address-pools:\n    - name: a\n      protocol: layer2\n     bad: indent\n';
    const lines = problemLines(parseConfigMap(yaml, 'cm.yaml'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cm\.yaml:8:\d+: YAML syntax error: /);
  });

  it('reports YAML syntax errors of the file itself', () => {
    expect(problemLines(parseConfigMap('a: [1, 2\n', 'x.yaml'))[0]).toMatch(/^x\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it.each([
    [
      'kind',
      'apiVersion: v1\nkind: Secret\ndata: {config: ""}\n',
      'x.yaml:kind: expected a ConfigMap holding MetalLB\'s legacy configuration (got kind Secret); metallb.io objects are read with parseCrds or "ferrolb config check"',
    ],
    [
      'missing data.config',
      'apiVersion: v1\nkind: ConfigMap\ndata: {}\n',
      'x.yaml:data.config: missing: the legacy MetalLB configuration lives in data.config',
    ],
    [
      'other data key',
      'apiVersion: v1\nkind: ConfigMap\ndata: {config: "", conifg: ""}\n',
      'x.yaml:data.conifg: unknown key "conifg": MetalLB reads only data.config (did you mean "config"?)',
    ],
    [
      'config not a string',
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  config:\n    peers: []\n',
      'x.yaml:data.config: must be a string holding YAML, e.g. "config: |" followed by the configuration (got a mapping)',
    ],
    [
      'two documents',
      'peers: []\n---\npeers: []\n',
      'x.yaml:3:1: expected a single YAML document (one ConfigMap or one legacy configuration)',
    ],
  ])('rejects a ConfigMap with a wrong %s', (_name, yaml, line) => {
    expect(problemLines(parseConfigMap(yaml, 'x.yaml'))).toEqual([line]);
  });

  it('accepts an empty data.config', () => {
    expect(okConfig(parseConfigMap('apiVersion: v1\nkind: ConfigMap\ndata:\n  config: ""\n', 'x.yaml')).pools).toEqual(
      [],
    );
  });
});
