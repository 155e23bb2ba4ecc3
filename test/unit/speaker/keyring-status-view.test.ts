import { describe, expect, it } from 'vitest';
import { parseConfigMap } from '../../../src/config/index.ts';
import { endpointFacts, nodeAddresses, nodeFacts, poolLookup, serviceView } from '../../../src/speaker/cluster-view.ts';
import { KeyringRotation, keyOfSecret, type RotationStep } from '../../../src/speaker/keyring-rotation.ts';
import type { Keyring } from '../../../src/speaker/ports.ts';
import { planStatuses, type ExistingStatus, type WantedStatus } from '../../../src/speaker/status-plan.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const k = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const hex = (r: Keyring): string[] => [r.primary, ...r.secondary].map((x) => String(x[0]));

describe('KeyringRotation', () => {
  it('accepts a new key everywhere before using it, and accepts the old one for a while after', () => {
    const clock = new FakeClock();
    const seen: [RotationStep, string[]][] = [];
    const r = new KeyringRotation(clock, (ring, step) => seen.push([step, hex(ring)]), {
      acceptMs: 10_000,
      retireMs: 60_000,
    });
    expect(r.setKey(k(1))).toBe('initial');
    expect(r.setKey(k(1))).toBe('unchanged');
    expect(r.setKey(k(2))).toBe('accept-new');
    expect(r.setKey(k(2))).toBe('unchanged');
    clock.advance(9_999);
    expect(seen.map(([s]) => s)).toEqual(['initial', 'accept-new']);
    clock.advance(1);
    clock.advance(60_000);
    expect(seen).toEqual([
      ['initial', ['1']],
      ['accept-new', ['1', '2']], // 1 still encrypts; 2 is accepted
      ['use-new', ['2', '1']], // 2 encrypts; 1 still accepted
      ['retire-old', ['2']],
    ]);
  });

  it('a rotation back before the new key was used drops the new key; a third key during one restarts it', () => {
    const clock = new FakeClock();
    const seen: string[][] = [];
    const r = new KeyringRotation(clock, (ring) => seen.push(hex(ring)), { acceptMs: 100, retireMs: 1000 });
    r.setKey(k(1));
    r.setKey(k(2));
    expect(r.setKey(k(1))).toBe('retire-old');
    clock.advance(5000);
    expect(seen).toEqual([['1'], ['1', '2'], ['1']]);
    r.setKey(k(3));
    clock.advance(50);
    r.setKey(k(4));
    clock.advance(100);
    expect(r.keyring && hex(r.keyring)).toEqual(['4', '1', '3']);
    clock.advance(1000);
    expect(r.keyring && hex(r.keyring)).toEqual(['4']);
  });

  it('derives a 32-byte key from the Secret value by sha256', () => {
    const key = keyOfSecret(new TextEncoder().encode('abc'));
    expect(Buffer.from(key).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('planStatuses', () => {
  const labels = (ns: string, name: string) => ({
    'metallb.io/node': 'n1',
    'metallb.io/service-name': name,
    'metallb.io/service-namespace': ns,
  });
  const l2 = (ns: string, name: string, interfaces: string[] = []): WantedStatus => ({
    kind: 'ServiceL2Status',
    status: { node: 'n1', serviceName: name, serviceNamespace: ns, interfaces: interfaces.map((n) => ({ name: n })) },
  });

  it('creates missing, updates changed, deletes duplicates, unlabelled and no longer announced objects', () => {
    const existing: ExistingStatus[] = [
      { kind: 'ServiceL2Status', name: 'l2-b', labels: labels('a', 'same'), status: l2('a', 'same').status },
      { kind: 'ServiceL2Status', name: 'l2-c', labels: labels('a', 'same'), status: l2('a', 'same').status },
      { kind: 'ServiceL2Status', name: 'l2-d', labels: labels('a', 'changed'), status: l2('a', 'changed').status },
      { kind: 'ServiceL2Status', name: 'l2-e', labels: labels('a', 'gone'), status: l2('a', 'gone').status },
      { kind: 'ServiceL2Status', name: 'l2-f', labels: { 'metallb.io/node': 'n1' } },
      { kind: 'ServiceBGPStatus', name: 'bgp-a', labels: labels('a', 'same') },
    ];
    const plan = planStatuses([l2('a', 'same'), l2('a', 'changed', ['eth1']), l2('a', 'new')], existing);
    expect(plan.create).toEqual([l2('a', 'new')]);
    expect(plan.update).toEqual([
      { kind: 'ServiceL2Status', name: 'l2-d', status: l2('a', 'changed', ['eth1']).status },
    ]);
    expect(plan.delete.map((d) => d.name).sort()).toEqual(['bgp-a', 'l2-c', 'l2-e', 'l2-f']);
  });
});

describe('cluster view', () => {
  it('reads the Service IPs (canonical, deduplicated), its policy and the endpoints of its slices', () => {
    const r = serviceView(
      {
        metadata: { namespace: 'x', name: 'y' },
        spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
        status: {
          loadBalancer: { ingress: [{ ip: '2001:DB8::0:1' }, { ip: '192.0.2.1' }, { ip: '2001:db8::1' }, {}] },
        },
      },
      [
        { endpoints: [{ nodeName: 'n1', conditions: { ready: false, serving: true } }, { conditions: {} }] },
        { endpoints: null },
      ],
      undefined,
    );
    expect(r).toEqual({
      kind: 'view',
      view: {
        key: 'x/y',
        ips: ['2001:db8::1', '192.0.2.1'],
        externalTrafficPolicy: 'Local',
        endpoints: [{ nodeName: 'n1', ready: false, serving: true }, {}],
      },
    });
    expect(serviceView({ metadata: { name: 'y' }, spec: { type: 'NodePort' } }, [], undefined)).toMatchObject({
      kind: 'skip',
    });
    expect(
      serviceView({ metadata: { name: 'y' }, spec: { type: 'LoadBalancer', loadBalancerClass: 'c' } }, [], undefined),
    ).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/loadBalancerClass "c"/),
    });
    expect(endpointFacts([{ endpoints: [{ nodeName: '', conditions: { ready: true } }] }])).toEqual([{ ready: true }]);
  });

  it('reads node conditions, addresses and pools', () => {
    const node = {
      metadata: { name: 'n1', labels: { a: 'b' } },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'NetworkUnavailable', status: 'True' },
        ],
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '2001:db8::5' },
          { type: 'InternalIP', address: '192.0.2.5' },
        ],
      },
    };
    expect(nodeFacts(node)).toEqual({ name: 'n1', labels: { a: 'b' }, networkUnavailable: true });
    expect(nodeFacts({ metadata: {} })).toBeUndefined();
    expect(nodeAddresses(node)).toEqual({ ipv4: '192.0.2.5', ipv6: '2001:db8::5' });
    const r = parseConfigMap(
      'address-pools: [{name: p, protocol: layer2, addresses: [192.0.2.0/30]}, {name: q, protocol: bgp, addresses: [192.0.2.4/30]}]',
      'cm',
    );
    if (!r.ok) throw new Error('fixture config invalid');
    const poolOf = poolLookup(r.config);
    expect([poolOf('192.0.2.3'), poolOf('192.0.2.4'), poolOf('198.51.100.1'), poolOf('bad')]).toEqual([
      'p',
      'q',
      undefined,
      undefined,
    ]);
  });
});

describe('Layer 2 adapter', () => {
  it('turns announcements into IPs per interface, every interface as "*"', async () => {
    const { byInterface } = await import('../../../src/speaker/layer2-adapter.ts');
    const m = byInterface([
      { ip: '192.0.2.1', interfaces: { all: true }, services: ['a/b'] },
      { ip: '192.0.2.2', interfaces: { all: false, names: ['eth1', 'eth2'] }, services: ['a/c'] },
      { ip: '192.0.2.3', interfaces: { all: false, names: ['eth1'] }, services: ['a/d'] },
      { ip: '192.0.2.4', interfaces: { all: false, names: [] }, services: ['a/e'] },
    ]);
    expect([...m].map(([k, v]) => [k, [...v]])).toEqual([
      ['*', ['192.0.2.1']],
      ['eth1', ['192.0.2.2', '192.0.2.3']],
      ['eth2', ['192.0.2.2']],
    ]);
  });
});

describe('memberlist adapter', () => {
  it("alive = members neither dead nor left (and itself); events in the clock's monotonic time; keyring primary first", async () => {
    const { MemberlistAdapter } = await import('../../../src/speaker/memberlist-adapter.ts');
    const clock = new FakeClock();
    clock.advance(1000);
    let fn:
      | ((e: {
          kind: 'join' | 'leave' | 'update';
          member: { name: string; state: 'alive' | 'suspect' | 'dead' | 'left' };
          at: number;
        }) => void)
      | undefined;
    const keys: Uint8Array[][] = [];
    const members = [
      { name: 'a', state: 'alive' as const },
      { name: 'b', state: 'suspect' as const },
      { name: 'c', state: 'dead' as const },
      { name: 'd', state: 'left' as const },
    ];
    const ad = new MemberlistAdapter(
      {
        start: async () => 7946,
        subscribe: (f) => ((fn = f), () => {}),
        join: async (p) => p.length,
        leave: async () => {},
        shutdown: async () => {},
        members: () => members,
        setKeyring: (k) => void keys.push(k),
      },
      clock,
      'me',
      { addr: '0.0.0.0', port: 7946 },
    );
    expect([...ad.alive()].sort()).toEqual(['a', 'b', 'me']);
    const seen: unknown[] = [];
    ad.onChange((c) => seen.push(c));
    fn!({ kind: 'leave', member: { name: 'c', state: 'dead' }, at: clock.wallNow() - 30 });
    fn!({ kind: 'leave', member: { name: 'd', state: 'left' }, at: clock.wallNow() });
    fn!({ kind: 'join', member: { name: 'e', state: 'alive' }, at: clock.wallNow() });
    expect(seen).toEqual([
      { kind: 'fail', node: 'c', at: 970 },
      { kind: 'leave', node: 'd', at: 1000 },
      { kind: 'join', node: 'e', at: 1000 },
    ]);
    ad.setKeyring({ primary: k(2), secondary: [k(1)] });
    expect(keys[0]!.map((x) => x[0])).toEqual([2, 1]);
    expect(await ad.join([])).toBe(0);
    expect(await ad.join(['192.0.2.1:7946'])).toBe(1);
  });
});
