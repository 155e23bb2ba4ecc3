import { describe, expect, it } from 'vitest';
import { parseFiles } from '../../../src/config/index.ts';
import { EXCLUDE_LABEL, type NodeFacts } from '../../../src/election/index.ts';
import { computeDesired, type ServiceView, type SpeakerInputs } from '../../../src/speaker/index.ts';
import { okConfig } from '../config/helpers.ts';

// Two pools: "lan" announced in Layer 2 (on eth1 by nodes labelled rack=a, on every interface by the
// others), "wan" over BGP from nodes labelled bgp=yes; "both" in both modes.
const config = okConfig(
  parseFiles([
    {
      name: 'pools.yaml',
      text: `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: ferrolb-system}
spec: {addresses: [192.0.2.0/26, 2001:db8::100-2001:db8::1ff]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: wan, namespace: ferrolb-system}
spec: {addresses: [198.51.100.0/26]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: both, namespace: ferrolb-system}
spec: {addresses: [203.0.113.0/28]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan-rack-a, namespace: ferrolb-system}
spec: {ipAddressPools: [lan, both], interfaces: [eth1], nodeSelectors: [{matchLabels: {rack: a}}]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan-rest, namespace: ferrolb-system}
spec: {ipAddressPools: [lan], nodeSelectors: [{matchExpressions: [{key: rack, operator: NotIn, values: [a]}]}]}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: wan, namespace: ferrolb-system}
spec: {ipAddressPools: [wan, both], nodeSelectors: [{matchLabels: {bgp: "yes"}}]}
`,
    },
  ]),
);

const node = (name: string, labels: Record<string, string>, networkUnavailable = false): NodeFacts => ({
  name,
  labels: { 'kubernetes.io/hostname': name, ...labels },
  networkUnavailable,
});
const NODES = new Map<string, NodeFacts>([
  ['node-a', node('node-a', { rack: 'a', bgp: 'yes' })],
  ['node-b', node('node-b', { rack: 'b', bgp: 'yes' })],
  ['node-c', node('node-c', { rack: 'a' })],
  ['node-d', node('node-d', { rack: 'b' })],
  ['node-e', node('node-e', { rack: 'b', [EXCLUDE_LABEL]: 'true', bgp: 'yes' })],
]);
function poolOf(ip: string): string | undefined {
  if (ip.startsWith('192.0.2.') || ip.startsWith('2001:db8::1')) return 'lan';
  if (ip.startsWith('198.51.100.')) return 'wan';
  if (ip.startsWith('203.0.113.')) return 'both';
  return undefined;
}
const svc = (key: string, ips: string[], over: Partial<ServiceView> = {}): ServiceView => ({
  key,
  ips,
  externalTrafficPolicy: 'Cluster',
  endpoints: [{ nodeName: 'node-d', ready: true }],
  ...over,
});
const inputs = (myNode: string, services: ServiceView[], over: Partial<SpeakerInputs> = {}): SpeakerInputs => ({
  myNode,
  config,
  services,
  nodes: NODES,
  alive: new Set(NODES.keys()),
  poolOf,
  ...over,
});

describe('computeDesired', () => {
  const web = svc('shop/web', ['192.0.2.10', '2001:db8::100']);

  it('exactly one node owns a Layer 2 Service, on the interfaces its advertisement allows', () => {
    const owners = [...NODES.keys()].filter((n) => computeDesired(inputs(n, [web])).layer2.length > 0);
    expect(owners).toHaveLength(1);
    const owner = owners[0] as string;
    const d = computeDesired(inputs(owner, [web]));
    expect(d.layer2.map((a) => a.ip)).toEqual(['192.0.2.10', '2001:db8::100']);
    const rackA = NODES.get(owner)?.labels['rack'] === 'a';
    expect(d.layer2[0]?.interfaces).toEqual(rackA ? { all: false, names: ['eth1'] } : { all: true });
    expect(d.services.get('shop/web')?.layer2?.election.candidates[0]).toBe(owner);
    expect(d.services.get('shop/web')?.layer2?.election.skipped.get('node-e')).toBe('excluded-by-label');
  });

  it('the owner dying in membership moves the IP to the next candidate', () => {
    const first = computeDesired(inputs('node-a', [web])).services.get('shop/web')?.layer2?.election.candidates ?? [];
    const [owner, next] = first;
    const alive = new Set([...NODES.keys()].filter((n) => n !== owner));
    expect(computeDesired(inputs(next as string, [web], { alive })).layer2.map((a) => a.ip)).toEqual([
      '192.0.2.10',
      '2001:db8::100',
    ]);
    expect(computeDesired(inputs(owner as string, [web], { alive })).layer2).toEqual([]);
  });

  it('BGP: every selected node announces; the others say why not', () => {
    const edge = svc('shop/edge', ['198.51.100.5']);
    expect(computeDesired(inputs('node-a', [edge])).bgp).toEqual([{ ip: '198.51.100.5', pool: 'wan' }]);
    expect(computeDesired(inputs('node-b', [edge])).bgp).toHaveLength(1);
    const c = computeDesired(inputs('node-c', [edge]));
    expect(c.bgp).toEqual([]);
    expect(c.services.get('shop/edge')?.bgp?.reason).toBe('not-selected');
    expect(c.services.get('shop/edge')?.bgp?.election.announcers).toEqual(['node-a', 'node-b']);
    // membership does not gate BGP: a node speaks for itself
    expect(computeDesired(inputs('node-a', [edge], { alive: new Set() })).bgp).toHaveLength(1);
  });

  it('a pool in both modes is announced both ways; Local follows the endpoints', () => {
    const both = svc('shop/both', ['203.0.113.3'], {
      externalTrafficPolicy: 'Local',
      endpoints: [{ nodeName: 'node-a', ready: true }],
    });
    const a = computeDesired(inputs('node-a', [both]));
    expect(a.layer2.map((x) => x.ip)).toEqual(['203.0.113.3']);
    expect(a.bgp.map((x) => x.ip)).toEqual(['203.0.113.3']);
    const b = computeDesired(inputs('node-b', [both]));
    expect(b.bgp).toEqual([]);
    expect(b.services.get('shop/both')?.bgp?.election.skipped.get('node-b')).toBe('no-local-endpoint');
  });

  it('Services sharing an IP share its owner and are listed together', () => {
    const tcp = svc('infra/dns-tcp', ['192.0.2.20']);
    const udp = svc('infra/dns-udp', ['192.0.2.20']);
    const owners = [...NODES.keys()].filter((n) => computeDesired(inputs(n, [tcp, udp])).layer2.length > 0);
    expect(owners).toHaveLength(1);
    expect(computeDesired(inputs(owners[0] as string, [tcp, udp])).layer2).toEqual([
      expect.objectContaining({ ip: '192.0.2.20', services: ['infra/dns-tcp', 'infra/dns-udp'] }),
    ]);
  });

  it('says why a Service is not announced at all', () => {
    const d = computeDesired(
      inputs('node-a', [
        svc('a/none', []),
        svc('a/foreign', ['2001:db8:ffff::1']),
        svc('a/mixed', ['192.0.2.11', '198.51.100.6']),
        svc('a/down', ['192.0.2.12'], { endpoints: [{ nodeName: 'node-a', ready: false }] }),
      ]),
    );
    expect(d.services.get('a/none')?.reason).toBe('no-ips');
    expect(d.services.get('a/foreign')?.reason).toBe('not-in-pool');
    expect(d.services.get('a/mixed')?.reason).toBe('mixed-pools');
    expect(d.services.get('a/down')?.layer2?.reason).toBe('no-serving-endpoint');
    expect(d.layer2).toEqual([]);
  });
});
