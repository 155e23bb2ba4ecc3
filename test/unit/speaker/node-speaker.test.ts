import { describe, expect, it } from 'vitest';
import type { V1ObjectReference } from '@kubernetes/client-node';
import type { EventSpec } from '../../../src/k8s/event-recorder.ts';
import type { Layer2Announcement } from '../../../src/speaker/desired.ts';
import { SpeakerMetrics } from '../../../src/speaker/metrics.ts';
import { NodeSpeaker, type ClusterSource } from '../../../src/speaker/node-speaker.ts';
import type {
  BgpConfig,
  BgpPort,
  IpvsPort,
  Keyring,
  Layer2Conflict,
  Layer2Port,
  MembershipChange,
  MembershipPort,
} from '../../../src/speaker/ports.ts';
import type { WantedStatus } from '../../../src/speaker/status-plan.ts';
import type { Announcement, NodeInfo } from '../../../src/bgp/speaker/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const CONFIG = `
address-pools:
- name: lan
  protocol: layer2
  addresses: [192.0.2.0/28]
- name: wan
  protocol: bgp
  addresses: [198.51.100.0/28]
peers:
- peer-address: 203.0.113.1
  peer-asn: 64500
  my-asn: 64501
`;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

class Cluster implements ClusterSource {
  isSynced = true;
  svcs: object[] = [];
  sliceList: object[] = [];
  nodeList: object[] = [];
  config: string | undefined = CONFIG;
  synced = (): boolean => this.isSynced;
  services = () => this.svcs as never[];
  slices = () => this.sliceList as never[];
  nodes = () => this.nodeList as never[];
  configInputs = () => ({
    configMap: this.config === undefined ? undefined : { data: { config: this.config } },
    crds: [],
    configMapRef: { namespace: 'ferrolb-system', name: 'config' },
  });
}

class Membership implements MembershipPort {
  members: Set<string>;
  calls: string[] = [];
  keyrings: Keyring[] = [];
  #fns: ((c: MembershipChange) => void)[] = [];
  constructor(members: string[]) {
    this.members = new Set(members);
  }
  start = async (): Promise<void> => {};
  join = async (): Promise<number> => 0;
  leave = async (): Promise<void> => {
    this.calls.push('leave');
  };
  alive = (): ReadonlySet<string> => this.members;
  onChange(fn: (c: MembershipChange) => void): void {
    this.#fns.push(fn);
  }
  setKeyring(k: Keyring): void {
    this.keyrings.push(k);
  }
  stop = async (): Promise<void> => {};
  fail(node: string, at: number): void {
    this.members.delete(node);
    for (const f of this.#fns) f({ kind: 'fail', node, at });
  }
}

class Layer2 implements Layer2Port {
  sets: Layer2Announcement[][] = [];
  log: string[];
  #fns: ((c: Layer2Conflict) => void)[] = [];
  constructor(log: string[] = []) {
    this.log = log;
  }
  set(a: readonly Layer2Announcement[]): void {
    this.sets.push([...a]);
    this.log.push(`l2:${a.map((x) => x.ip).join(',')}`);
  }
  onConflict(fn: (c: Layer2Conflict) => void): void {
    this.#fns.push(fn);
  }
  failing: string | undefined;
  problem(): string | undefined {
    return this.failing;
  }
  stop = async (): Promise<void> => {};
  conflict(c: Layer2Conflict): void {
    for (const f of this.#fns) f(c);
  }
  get current(): string[] {
    return (this.sets.at(-1) ?? []).map((a) => a.ip);
  }
}

class Bgp implements BgpPort {
  announced: Announcement[] = [];
  configs: BgpConfig[] = [];
  node: NodeInfo | undefined;
  setConfig(c: BgpConfig): void {
    this.configs.push(c);
  }
  setNode(n: NodeInfo): void {
    this.node = n;
  }
  setAnnouncements(a: Announcement[]): void {
    this.announced = a;
  }
  start = async (): Promise<void> => {};
  stop = async (): Promise<void> => {};
}

class Events {
  recorded: { ref: V1ObjectReference; event: EventSpec }[] = [];
  async record(ref: V1ObjectReference, event: EventSpec): Promise<void> {
    this.recorded.push({ ref, event });
  }
}

class Statuses {
  wanted: WantedStatus[][] = [];
  failNext = 0;
  async reconcile(w: readonly WantedStatus[]): Promise<boolean> {
    this.wanted.push([...w]);
    if (this.failNext > 0) {
      this.failNext--;
      return false;
    }
    return true;
  }
}

const NODES = ['node-a', 'node-b', 'node-c'];
const nodeObj = (name: string, labels: Record<string, string> = {}, unavailable = false) => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: {
    addresses: [{ type: 'InternalIP', address: `192.0.2.${100 + NODES.indexOf(name)}` }],
    conditions: unavailable ? [{ type: 'NetworkUnavailable', status: 'True' }] : [],
  },
});
const svcObj = (ns: string, name: string, ip: string, extra: Record<string, unknown> = {}) => ({
  metadata: { namespace: ns, name },
  spec: { type: 'LoadBalancer', ...extra },
  status: { loadBalancer: { ingress: [{ ip }] } },
});
const sliceObj = (ns: string, svc: string, nodes: string[], ready = true) => ({
  metadata: { namespace: ns, name: `${svc}-x`, labels: { 'kubernetes.io/service-name': svc } },
  endpoints: nodes.map((nodeName) => ({ nodeName, conditions: { ready } })),
});

function world(opts: { lbClass?: string } = {}) {
  const clock = new FakeClock();
  const cluster = new Cluster();
  cluster.nodeList = NODES.map((n) => nodeObj(n));
  const membership = new Map<string, Membership>();
  const speakers = new Map<
    string,
    {
      sp: NodeSpeaker;
      l2: Layer2;
      bgp: Bgp;
      events: Events;
      status: Statuses;
      metrics: SpeakerMetrics;
      m: Membership;
      log: string[];
    }
  >();
  for (const n of NODES) {
    const m = new Membership(NODES);
    membership.set(n, m);
    const log: string[] = [];
    const l2 = new Layer2(log);
    const bgp = new Bgp();
    const events = new Events();
    const status = new Statuses();
    const metrics = new SpeakerMetrics();
    const sp = new NodeSpeaker({
      options: { myNode: n, debounceMs: 50, ...(opts.lbClass !== undefined ? { lbClass: opts.lbClass } : {}) },
      clock,
      log: silent,
      source: cluster,
      membership: m,
      layer2: l2,
      bgp,
      status,
      events,
      metrics,
    });
    m.leave = async () => void log.push('leave');
    speakers.set(n, { sp, l2, bgp, events, status, metrics, m, log });
  }
  const all = (fn: (s: NodeSpeaker) => void): void => {
    for (const s of speakers.values()) fn(s.sp);
  };
  return { clock, cluster, speakers, all };
}

const ownersOf = (w: ReturnType<typeof world>, ip: string): string[] =>
  [...w.speakers].filter(([, s]) => s.l2.current.includes(ip)).map(([n]) => n);

async function metricValue(m: SpeakerMetrics, name: string): Promise<string> {
  const text = await m.registry.getSingleMetricAsString(name);
  return text;
}

describe('NodeSpeaker', () => {
  it('exactly one node answers for a Layer 2 IP; on the owner failing another takes over and the latency is measured', async () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.1')];
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-a'])];
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    const owners = ownersOf(w, '192.0.2.1');
    expect(owners).toHaveLength(1);
    const owner = owners[0] as string;
    expect(w.speakers.get(owner)!.sp.readiness().ready).toBe(true);

    // The owner dies: membership on the others reports it 7 ms after it was detected.
    const detectedAt = w.clock.now();
    w.clock.advance(7);
    for (const [n, s] of w.speakers) if (n !== owner) s.m.fail(owner, detectedAt);
    w.clock.advance(0);
    const next = ownersOf(w, '192.0.2.1').filter((n) => n !== owner);
    expect(next).toHaveLength(1);
    const hist = await metricValue(
      w.speakers.get(next[0] as string)!.metrics,
      'ferrolb_speaker_failover_latency_seconds',
    );
    expect(hist).toMatch(/ferrolb_speaker_failover_latency_seconds_sum 0\.007\b/);
    expect(hist).toMatch(/ferrolb_speaker_failover_latency_seconds_count 1\b/);
    // The node that did not gain anything observed nothing.
    const third = NODES.find((n) => n !== owner && n !== next[0]) as string;
    expect(await metricValue(w.speakers.get(third)!.metrics, 'ferrolb_speaker_failover_latency_seconds')).toMatch(
      /_count 0\b/,
    );
  });

  it('API changes within the quiet time after the first one make one recompute; a membership change does not wait', async () => {
    const w = world();
    const a = w.speakers.get('node-a')!;
    a.sp.membershipStarted();
    w.clock.advance(0);
    const before = (await a.metrics.registry.getSingleMetric('ferrolb_speaker_recomputes_total')!.get()).values[0]!
      .value;
    for (let i = 0; i < 10; i++) {
      a.sp.changed('k8s');
      w.clock.advance(4);
    }
    let after = (await a.metrics.registry.getSingleMetric('ferrolb_speaker_recomputes_total')!.get()).values[0]!.value;
    expect(after - before).toBe(0); // 40 ms: still within the 50 ms after the first change
    w.clock.advance(10);
    after = (await a.metrics.registry.getSingleMetric('ferrolb_speaker_recomputes_total')!.get()).values[0]!.value;
    expect(after - before).toBe(1);
    a.sp.changed('k8s');
    a.m.fail('node-c', w.clock.now());
    w.clock.advance(0);
    after = (await a.metrics.registry.getSingleMetric('ferrolb_speaker_recomputes_total')!.get()).values[0]!.value;
    expect(after - before).toBe(2);
  });

  it('Services of another loadBalancerClass, without endpoints, or outside every pool are not announced', () => {
    const w = world({ lbClass: 'ferrolb' });
    w.cluster.svcs = [
      svcObj('a', 'mine', '192.0.2.2', { loadBalancerClass: 'ferrolb' }),
      svcObj('a', 'other', '192.0.2.3', { loadBalancerClass: 'other' }),
      svcObj('a', 'noclass', '192.0.2.4'),
      svcObj('a', 'noendpoints', '192.0.2.5', { loadBalancerClass: 'ferrolb' }),
      svcObj('a', 'outside', '203.0.113.9', { loadBalancerClass: 'ferrolb' }),
    ];
    w.cluster.sliceList = ['mine', 'other', 'noclass', 'outside'].map((s) => sliceObj('a', s, ['node-a']));
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    const announced = new Set([...w.speakers.values()].flatMap((s) => s.l2.current));
    expect([...announced]).toEqual(['192.0.2.2']);
    const d = w.speakers.get('node-a')!.sp.desired!;
    expect(d.services.get('a/noendpoints')?.layer2?.reason).toBe('no-serving-endpoint');
    expect(d.services.get('a/outside')?.reason).toBe('not-in-pool');
  });

  it('a Local Service follows its endpoints; NetworkUnavailable and the exclude label move the IP', () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.6', { externalTrafficPolicy: 'Local' })];
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-b'])];
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    expect(ownersOf(w, '192.0.2.6')).toEqual(['node-b']);
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-c'])];
    w.all((s) => s.changed('k8s'));
    w.clock.advance(100);
    expect(ownersOf(w, '192.0.2.6')).toEqual(['node-c']);

    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.6')];
    w.cluster.nodeList = [
      nodeObj('node-a', {}, true),
      nodeObj('node-b', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
      nodeObj('node-c'),
    ];
    w.all((s) => s.changed('k8s'));
    w.clock.advance(100);
    expect(ownersOf(w, '192.0.2.6')).toEqual(['node-c']);
  });

  it('an invalid configuration keeps the last good one in force and says it is stale', async () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.1')];
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-a'])];
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    const owner = ownersOf(w, '192.0.2.1')[0] as string;
    w.cluster.config = 'address-pools: [{name: lan, protocol: layer2, addresses: [not-an-ip]}]';
    w.all((s) => s.changed('config'));
    w.clock.advance(100);
    expect(ownersOf(w, '192.0.2.1')).toEqual([owner]);
    const s = w.speakers.get(owner)!;
    expect(s.sp.readiness().why).toMatch(/stale/);
    expect(await metricValue(s.metrics, 'ferrolb_config_stale')).toMatch(/ferrolb_config_stale 1\b/);
  });

  it('records nodeAssigned once when a node starts announcing, and a conflict as a Warning Event', async () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.1')];
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-a'])];
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    w.all((s) => s.changed('k8s'));
    w.clock.advance(100);
    const owner = ownersOf(w, '192.0.2.1')[0] as string;
    const s = w.speakers.get(owner)!;
    expect(s.events.recorded.map((e) => [e.ref.namespace, e.ref.name, e.event.reason, e.event.message])).toEqual([
      ['shop', 'web', 'nodeAssigned', `announcing from node "${owner}" with protocol "layer2"`],
    ]);
    for (const [n, other] of w.speakers) if (n !== owner) expect(other.events.recorded).toEqual([]);
    s.l2.conflict({ ip: '192.0.2.1', interface: 'eth0', mac: '02:00:00:00:00:09' });
    expect(s.events.recorded[1]?.event).toMatchObject({ type: 'Warning', reason: 'IPConflict' });
    expect(s.events.recorded[1]?.event.message).toBe(
      `node "${owner}" owns 192.0.2.1 but 02:00:00:00:00:09 also answers for it on eth0`,
    );
    expect(await metricValue(s.metrics, 'metallb_speaker_announced')).toMatch(
      new RegExp(`ip="192.0.2.1",node="${owner}",protocol="layer2",service="shop/web"} 1`),
    );
  });

  it('BGP: every eligible node announces, with the node address as next hop, and writes its peers in status', async () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'api', '198.51.100.1')];
    w.cluster.sliceList = [sliceObj('shop', 'api', ['node-a'])];
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    for (const [n, s] of w.speakers) {
      expect(s.bgp.announced).toEqual([{ ip: '198.51.100.1', pool: 'wan' }]);
      expect(s.bgp.node).toMatchObject({ name: n, ipv4: `192.0.2.${100 + NODES.indexOf(n)}` });
      expect(s.bgp.configs).toHaveLength(1);
      await s.sp.statusSettled();
      expect(s.status.wanted.at(-1)).toEqual([
        {
          kind: 'ServiceBGPStatus',
          status: { node: n, serviceName: 'api', serviceNamespace: 'shop', peers: ['peer0-203.0.113.1'] },
        },
      ]);
    }
    // A Secret change (BGP passwords) hands the configuration to BGP again.
    const a = w.speakers.get('node-a')!;
    a.sp.changed('secrets');
    w.clock.advance(100);
    expect(a.bgp.configs).toHaveLength(2);
  });

  /** One speaker (node-b) with an IPVS port (and optionally a Layer 2 one) over `cluster`. */
  const ipvsSpeaker = (cluster: Cluster, ipvs: IpvsPort, layer2?: Layer2) => {
    const clock = new FakeClock();
    cluster.nodeList = NODES.map((n) => nodeObj(n));
    const sp = new NodeSpeaker({
      options: { myNode: 'node-b', debounceMs: 10 },
      clock,
      log: silent,
      source: cluster,
      membership: new Membership(NODES),
      ...(layer2 ? { layer2 } : {}),
      ipvs,
      events: new Events(),
      metrics: new SpeakerMetrics(),
    });
    sp.membershipStarted();
    clock.advance(10);
    return sp;
  };
  const oneService = (): Cluster => {
    const cluster = new Cluster();
    cluster.svcs = [svcObj('a', 'web', '192.0.2.1')];
    cluster.sliceList = [sliceObj('a', 'web', ['node-a'])];
    return cluster;
  };

  it('hands the IPVS syncer every LoadBalancer Service of this installation and their slices, owner or not', () => {
    const cluster = new Cluster();
    cluster.svcs = [
      svcObj('a', 'web', '192.0.2.1'),
      svcObj('a', 'np', '192.0.2.2', { type: 'NodePort' }),
      svcObj('a', 'other', '192.0.2.3', { loadBalancerClass: 'x' }),
    ];
    cluster.sliceList = [
      sliceObj('a', 'web', ['node-a']),
      sliceObj('a', 'np', ['node-a']),
      sliceObj('a', 'other', ['node-a']),
    ];
    const synced: { services: readonly unknown[]; endpointSlices: readonly unknown[] }[] = [];
    ipvsSpeaker(cluster, { sync: (o) => void synced.push(o), stop: async () => {} });
    expect(synced).toHaveLength(1);
    expect(synced[0]!.services).toEqual([cluster.svcs[0]]);
    expect(synced[0]!.endpointSlices).toEqual([cluster.sliceList[0]]);
  });

  it('IPVS gets the objects even without a valid configuration, and stop() stops it without emptying it', async () => {
    const cluster = oneService();
    cluster.config = undefined;
    const calls: string[] = [];
    const sp = ipvsSpeaker(cluster, {
      sync: (o) => void calls.push(`sync ${o.services.length}`),
      stop: async () => void calls.push('stop'),
    });
    expect(sp.readiness().ready).toBe(false);
    await sp.stop({ leaveTimeoutMs: 0 });
    expect(calls).toEqual(['sync 1', 'stop']);
  });

  it('with a configuration, Layer 2 is set before IPVS is handed the objects (a failover does not wait on it)', () => {
    const order: string[] = [];
    ipvsSpeaker(oneService(), { sync: () => void order.push('ipvs'), stop: async () => {} }, new Layer2(order));
    expect(order).toEqual([expect.stringMatching(/^l2:/), 'ipvs']);
  });

  it('nothing is announced before the initial sync and the first valid configuration', () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.1')];
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-a'])];
    w.cluster.isSynced = false;
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    for (const s of w.speakers.values()) {
      expect(s.l2.sets).toEqual([]);
      expect(s.sp.readiness()).toMatchObject({ ready: false, why: expect.stringMatching(/initial list/) });
    }
    w.cluster.isSynced = true;
    w.cluster.config = undefined;
    w.all((s) => s.changed('config'));
    w.clock.advance(100);
    for (const s of w.speakers.values()) {
      expect(s.l2.sets).toEqual([]);
      expect(s.sp.readiness().why).toMatch(/no valid configuration/);
    }
  });

  it('is not ready while Layer 2 cannot answer (a packet socket that will not open), and ready again after', () => {
    const w = world();
    const a = w.speakers.get('node-a')!;
    a.sp.membershipStarted();
    w.clock.advance(100);
    expect(a.sp.readiness().ready).toBe(true);
    a.l2.failing = 'Layer 2: no packet socket on eth0';
    expect(a.sp.readiness()).toEqual({ ready: false, why: 'Layer 2: no packet socket on eth0' });
    a.l2.failing = undefined;
    expect(a.sp.readiness().ready).toBe(true);
  });

  it('a failed status write is retried with backoff until it succeeds', async () => {
    const w = world();
    const a = w.speakers.get('node-a')!;
    a.status.failNext = 2;
    a.sp.membershipStarted();
    w.clock.advance(0);
    await a.sp.statusSettled();
    expect(a.status.wanted).toHaveLength(1);
    w.clock.advance(500);
    await a.sp.statusSettled();
    expect(a.status.wanted).toHaveLength(2);
    w.clock.advance(999);
    await a.sp.statusSettled();
    expect(a.status.wanted).toHaveLength(2);
    w.clock.advance(1);
    await a.sp.statusSettled();
    expect(a.status.wanted).toHaveLength(3);
    w.clock.advance(60_000);
    await a.sp.statusSettled();
    expect(a.status.wanted).toHaveLength(3);
  });

  it('a graceful stop leaves membership before it stops answering', async () => {
    const w = world();
    w.cluster.svcs = [svcObj('shop', 'web', '192.0.2.1')];
    w.cluster.sliceList = [sliceObj('shop', 'web', ['node-a'])];
    w.all((s) => s.membershipStarted());
    w.clock.advance(100);
    const owner = ownersOf(w, '192.0.2.1')[0] as string;
    const s = w.speakers.get(owner)!;
    await s.sp.stop({ leaveTimeoutMs: 100 });
    expect(s.log.slice(-2)).toEqual(['leave', 'l2:']);
    expect(s.status.wanted.at(-1)).toEqual([]);
  });
});
