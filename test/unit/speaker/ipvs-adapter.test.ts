import { Registry } from '../../../src/metrics/index.ts';
import { describe, expect, it } from 'vitest';
import { KubeInputCache, type CommandResult, type CommandRunner, type DesiredInput } from '../../../src/ipvs/index.ts';
import { IpvsAdapter, ipvsAdapterMetrics, type IpvsSyncerLike } from '../../../src/speaker/ipvs-adapter.ts';
import { ipvsInput, ipvsObjects, objectsFingerprint } from '../../../src/speaker/ipvs-input.ts';
import { probeIpvs, type IpvsProbeResult } from '../../../src/speaker/ipvs-probe.ts';
import { trimService } from '../../../src/k8s/trim.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const svc = (name: string, ip: string | undefined, rv = '1', extra: Record<string, unknown> = {}) => ({
  metadata: { namespace: 'shop', name, uid: `uid-${name}`, resourceVersion: rv },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...extra },
  status: { loadBalancer: { ingress: ip === undefined ? [] : [{ ip }] } },
});
const slice = (service: string, addrs: string[], rv = '1') => ({
  metadata: {
    namespace: 'shop',
    name: `${service}-x`,
    uid: `uid-${service}-x`,
    resourceVersion: rv,
    labels: { 'kubernetes.io/service-name': service },
  },
  addressType: 'IPv4',
  ports: [{ port: 8080, protocol: 'TCP' }],
  endpoints: addrs.map((a) => ({ addresses: [a], conditions: { ready: true } })),
});

/** A syncer that records what it was handed and finishes each sync when told to (or at once). */
class FakeSyncer implements IpvsSyncerLike {
  calls: DesiredInput[] = [];
  running = 0;
  maxRunning = 0;
  hold = false;
  throwNext = 0;
  stopped = 0;
  #release: (() => void)[] = [];
  async sync(d: DesiredInput): Promise<{ changes: string[]; error?: string }> {
    this.calls.push(d);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.hold) await new Promise<void>((r) => this.#release.push(r));
      if (this.throwNext > 0) {
        this.throwNext--;
        throw new Error('boom');
      }
      return { changes: [] };
    } finally {
      this.running--;
    }
  }
  release(): void {
    for (const r of this.#release.splice(0)) r();
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
}

interface Line {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function setup(probeResults: IpvsProbeResult[] = [{ available: true }]) {
  const clock = new FakeClock();
  const syncer = new FakeSyncer();
  const lines: Line[] = [];
  const at = (level: string) => (fields: object, msg: string) =>
    void lines.push({ level, fields: fields as Record<string, unknown>, msg });
  const registry = new Registry();
  let probes = 0;
  const adapter = new IpvsAdapter({
    syncer,
    probe: async () => probeResults[Math.min(probes++, probeResults.length - 1)]!,
    clock,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    metrics: ipvsAdapterMetrics(registry),
    options: { debounceMs: 100, probeIntervalMs: 300_000, retry: { baseMs: 1000, maxMs: 8000 } },
  });
  const metric = async (name: string): Promise<number | undefined> =>
    (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
  /** Advances the fake clock and lets the adapter's async work run. */
  const step = async (ms: number): Promise<void> => {
    clock.advance(ms);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await adapter.idle();
  };
  return { clock, syncer, lines, adapter, metric, step, probes: () => probes };
}

const objs = (services: unknown[], slices: unknown[] = []) => ({ services, endpointSlices: slices });

describe('IpvsAdapter', () => {
  it('coalesces a burst of changes into one sync of the latest objects, after the debounce window', async () => {
    const t = setup();
    for (let i = 1; i <= 5; i++) {
      t.adapter.sync(objs([svc('web', '192.0.2.1', String(i))], [slice('web', [`10.0.0.${i}`], String(i))]));
      await t.step(10);
    }
    expect(t.syncer.calls).toHaveLength(0);
    await t.step(60);
    expect(t.syncer.calls).toHaveLength(1);
    expect(t.syncer.calls[0]!.services.map((s) => s.ingressIPs)).toEqual([['192.0.2.1']]);
    expect(t.syncer.calls[0]!.endpointSlices[0]!.endpoints[0]!.addresses).toEqual(['10.0.0.5']);
    expect(await t.metric('ferrolb_speaker_ipvs_available')).toBe(1);
  });

  it('hands nothing over when the objects did not change (a membership-only round)', async () => {
    const t = setup();
    t.adapter.sync(objs([svc('web', '192.0.2.1')], [slice('web', ['10.0.0.1'])]));
    await t.step(100);
    for (let i = 0; i < 3; i++) {
      t.adapter.sync(objs([svc('web', '192.0.2.1')], [slice('web', ['10.0.0.1'])]));
      await t.step(200);
    }
    expect(t.syncer.calls).toHaveLength(1);
    t.adapter.sync(objs([svc('web', '192.0.2.1')], [slice('web', ['10.0.0.2'], '2')]));
    await t.step(100);
    expect(t.syncer.calls).toHaveLength(2);
    expect(t.probes()).toBe(1); // asked once, then never again while available
  });

  it('never runs two syncs at once; changes during a sync are handed over after it, the latest only', async () => {
    const t = setup();
    t.syncer.hold = true;
    t.adapter.sync(objs([svc('a', '192.0.2.1')]));
    t.clock.advance(100);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(t.syncer.calls).toHaveLength(1);
    t.adapter.sync(objs([svc('b', '192.0.2.2')]));
    t.clock.advance(500);
    t.adapter.sync(objs([svc('c', '192.0.2.3')]));
    t.clock.advance(500);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(t.syncer.calls).toHaveLength(1);
    t.syncer.hold = false;
    t.syncer.release();
    await t.step(0);
    expect(t.syncer.calls.map((c) => c.services.map((s) => s.name))).toEqual([['a'], ['c']]);
    expect(t.syncer.maxRunning).toBe(1);
  });

  it('a change back to what the syncer already has cancels the pending one (the latest wins)', async () => {
    const t = setup();
    t.adapter.sync(objs([svc('a', '192.0.2.1')]));
    await t.step(100);
    t.adapter.sync(objs([svc('a', '192.0.2.1', '2')]));
    t.adapter.sync(objs([svc('a', '192.0.2.1')]));
    await t.step(100);
    expect(t.syncer.calls).toHaveLength(1);
  });

  it('logs each unusable object once, with where and why, and counts them', async () => {
    const t = setup();
    const bad = svc('bad', '192.0.2.9', '1', { ports: [{ port: 99999, protocol: 'TCP' }] });
    const orphan = { ...slice('x', ['10.0.0.1']), metadata: { namespace: 'shop', name: 'orphan', labels: {} } };
    t.adapter.sync(objs([svc('web', '192.0.2.1'), bad], [orphan]));
    await t.step(100);
    const warns = t.lines.filter((l) => l.level === 'warn');
    expect(warns.map((w) => w.fields)).toEqual([
      { object: 'Service shop/bad', problem: 'spec.ports[0]: port 99999 is not 1..65535; skipped' },
      { object: 'EndpointSlice shop/orphan', problem: 'no kubernetes.io/service-name label; skipped' },
    ]);
    expect(await t.metric('ferrolb_speaker_ipvs_object_problems')).toBe(2);
    expect(t.syncer.calls[0]!.services.map((s) => s.name)).toEqual(['web', 'bad']);
    t.adapter.sync(objs([svc('web', '192.0.2.1', '2'), bad], [orphan]));
    await t.step(100);
    expect(t.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('without IPVS: one error naming what is missing and the flag, metric 0, no sync, a rare re-probe', async () => {
    const t = setup([
      { available: false, missing: 'ip_vs', detail: 'the kernel has no IPVS (module ip_vs)' },
      { available: false, missing: 'ip_vs', detail: 'the kernel has no IPVS (module ip_vs)' },
      { available: true },
    ]);
    t.adapter.sync(objs([svc('a', '192.0.2.1')]));
    await t.step(100);
    expect(t.adapter.state).toBe('unavailable');
    expect(await t.metric('ferrolb_speaker_ipvs_available')).toBe(0);
    const errors = t.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/IPVS unavailable on this node \(ip_vs missing\).*--disable-ipvs/);
    expect(errors[0]!.fields).toMatchObject({ missing: 'ip_vs', detail: expect.stringMatching(/ip_vs/) });
    // More changes while unavailable: no probe, no sync until the interval has passed.
    for (let i = 2; i < 10; i++) {
      t.adapter.sync(objs([svc('a', '192.0.2.1', String(i))]));
      await t.step(10_000);
    }
    expect(t.probes()).toBe(1);
    expect(t.syncer.calls).toHaveLength(0);
    await t.step(300_100 - t.clock.now() - 1);
    expect(t.probes()).toBe(1);
    await t.step(1);
    expect(t.probes()).toBe(2);
    expect(t.lines.filter((l) => l.level === 'error')).toHaveLength(1); // the same reason is not repeated
    await t.step(300_000);
    expect(t.probes()).toBe(3);
    expect(t.adapter.state).toBe('available');
    expect(await t.metric('ferrolb_speaker_ipvs_available')).toBe(1);
    expect(t.syncer.calls.map((c) => c.services.length)).toEqual([1]);
    expect(t.lines.some((l) => l.level === 'info' && /available now/.test(l.msg))).toBe(true);
  });

  it('a sync that throws is logged and retried with backoff (1 s, 2 s, ...) with the latest objects', async () => {
    const t = setup();
    t.syncer.throwNext = 2;
    t.adapter.sync(objs([svc('a', '192.0.2.1')]));
    await t.step(100);
    expect(t.syncer.calls).toHaveLength(1);
    expect(t.lines.filter((l) => l.level === 'error').map((l) => l.fields.retryMs)).toEqual([1000]);
    await t.step(999);
    expect(t.syncer.calls).toHaveLength(1);
    await t.step(1);
    expect(t.syncer.calls).toHaveLength(2);
    expect(t.lines.filter((l) => l.level === 'error').map((l) => l.fields.retryMs)).toEqual([1000, 2000]);
    t.adapter.sync(objs([svc('b', '192.0.2.2')]));
    await t.step(2000);
    expect(t.syncer.calls.map((c) => c.services[0]!.name)).toEqual(['a', 'a', 'b']);
  });

  it('stop() stops the syncer, hands nothing more over and never asks for an empty kernel', async () => {
    const t = setup();
    t.adapter.sync(objs([svc('a', '192.0.2.1')]));
    await t.step(100);
    t.adapter.sync(objs([svc('b', '192.0.2.2')]));
    await t.adapter.stop();
    t.adapter.sync(objs([]));
    await t.step(10_000);
    expect(t.syncer.stopped).toBe(1);
    expect(t.syncer.calls.map((c) => c.services.map((s) => s.name))).toEqual([['a']]);
  });
});

describe('ipvsObjects (what the speaker hands the syncer)', () => {
  it('every LoadBalancer Service of this lbClass with an ingress IP, and only their slices', () => {
    const services = [
      svc('web', '192.0.2.1'),
      svc('pending', undefined),
      svc('np', '192.0.2.2', '1', { type: 'NodePort' }),
      svc('other-class', '192.0.2.3', '1', { loadBalancerClass: 'x' }),
    ];
    const slices = ['web', 'pending', 'np', 'other-class'].map((n) => slice(n, ['10.0.0.1']));
    const mine = ipvsObjects(services, slices, undefined);
    expect(mine.services).toEqual([services[0]]);
    expect(mine.endpointSlices).toEqual([slices[0]]);
    const x = ipvsObjects(services, slices, 'x');
    expect(x.services).toEqual([services[3]]);
    expect(x.endpointSlices).toEqual([slices[3]]);
  });

  it('the fingerprint follows resourceVersions (or the whole object without one)', () => {
    const a = objsFp([svc('web', '192.0.2.1', '1')]);
    expect(objsFp([svc('web', '192.0.2.1', '1')])).toBe(a);
    expect(objsFp([svc('web', '192.0.2.1', '2')])).not.toBe(a);
    const bare = { metadata: { name: 'n' }, spec: { type: 'LoadBalancer' } };
    expect(objsFp([bare])).not.toBe(objsFp([{ ...bare, spec: { type: 'LoadBalancer', x: 1 } }]));
  });

  it('a Service as the informer caches it (trimmed) gives the syncer the same input as the full object', () => {
    const full = svc('web', '192.0.2.1', '7', {
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 31000 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
      externalTrafficPolicy: 'Local',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      loadBalancerSourceRanges: ['198.51.100.0/24'],
      healthCheckNodePort: 32000,
    });
    const withAnnotation = {
      ...full,
      metadata: { ...full.metadata, annotations: { 'ferrolb.io/ipvs-scheduler': 'mh' } },
    };
    const input = (o: unknown) => ipvsInput(objs([o])).input.services;
    expect(input(trimService(withAnnotation as never))).toEqual(input(withAnnotation));
    expect(input(withAnnotation)[0]).toMatchObject({
      ports: [
        { name: 'http', protocol: 'TCP', port: 80 },
        { name: 'dns', protocol: 'UDP', port: 53 },
      ],
      sessionAffinityTimeoutSeconds: 600,
      loadBalancerSourceRanges: ['198.51.100.0/24'],
    });
  });

  it('converts to the syncer inputs, reporting what is not even an object', () => {
    const r = ipvsInput(objs([svc('web', '192.0.2.1'), 'junk'], [slice('web', ['10.0.0.1']), 7]));
    expect(r.input.services.map((s) => s.name)).toEqual(['web']);
    expect(r.input.endpointSlices).toHaveLength(1);
    expect(r.problems).toEqual([
      { object: 'services[1]', message: 'not an object; skipped' },
      { object: 'endpointSlices[1]', message: 'not an object; skipped' },
    ]);
  });

  it('with one cache, an object the informer kept converts to the same input object (the syncer reuses its part)', () => {
    const cache = new KubeInputCache();
    const web = svc('web', '192.0.2.1');
    const first = ipvsInput(objs([web, svc('shop', '192.0.2.2')]), cache).input.services;
    const second = ipvsInput(objs([web, svc('shop', '192.0.2.2')]), cache).input.services;
    expect(second[0]).toBe(first[0]); // same API object: same input
    expect(second[1]).not.toBe(first[1]); // a new API object (a change): converted again
    expect(second[1]).toEqual(first[1]);
  });
});

const objsFp = (services: unknown[]): string => objectsFingerprint(objs(services));

describe('probeIpvs', () => {
  const runner = (answers: Record<string, Partial<CommandResult>>): CommandRunner & { seen: string[] } => {
    const seen: string[] = [];
    return {
      seen,
      run: async (cmd, args) => {
        const key = `${cmd} ${args.join(' ')}`;
        seen.push(key);
        const a = answers[key] ?? answers[cmd] ?? {};
        return { code: 0, stdout: '', stderr: '', ...a };
      },
    };
  };
  const OURS = { stdout: '5: kube-ipvs0: <BROADCAST,NOARP,UP,LOWER_UP> dummy alias ferrolb\n' };

  it('says yes when the tools and the kernel answer and the interface is ours (or absent)', async () => {
    const r = runner({ ip: OURS });
    expect(await probeIpvs(r, { interface: 'kube-ipvs0', iptables: true })).toEqual({ available: true });
    expect(r.seen).toEqual([
      'ipvsadm -L --timeout',
      'ipset list -n',
      'iptables-restore --version',
      'ip6tables-restore --version',
      'ip -d addr show dev kube-ipvs0',
    ]);
    const absent = runner({ ip: { code: 1, stderr: 'Device "kube-ipvs0" does not exist.' } });
    expect(await probeIpvs(absent, { interface: 'kube-ipvs0', iptables: false })).toEqual({ available: true });
  });

  it.each([
    ['ipvsadm', { ipvsadm: { code: 127, stderr: 'ipvsadm: spawn ipvsadm ENOENT' } }, /ipvsadm is not installed/],
    [
      'ip_vs',
      {
        ipvsadm: {
          code: 2,
          stderr:
            "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?",
        },
      },
      /no IPVS \(module ip_vs\): ipvsadm says: Can't initialize ipvs: Protocol not available/,
    ],
    ['ipset', { ipset: { code: 127, stderr: 'ENOENT' } }, /ipset is not installed/],
    [
      'ip_set',
      { ipset: { code: 1, stderr: 'Kernel error received: Protocol not supported' } },
      /no ipset support \(module ip_set\)/,
    ],
    ['iptables-restore', { 'iptables-restore': { code: 127 } }, /loadBalancerSourceRanges/],
    ['interface', { ip: { stdout: '5: kube-ipvs0: <NOARP> dummy\n' } }, /not FerroLB's.*kube-proxy/],
  ])('says %s is missing', async (missing, answers, detail) => {
    const r = await probeIpvs(runner(answers), { interface: 'kube-ipvs0', iptables: true });
    expect(r).toEqual({ available: false, missing, detail: expect.stringMatching(detail) });
  });
});
