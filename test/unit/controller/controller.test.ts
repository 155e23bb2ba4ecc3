// The Controller wired to the real Informer (fed by a scripted in-memory API), the real Allocator and
// serviceToRequest, with a recording writer and Event sink and the FakeClock.
import type { V1Namespace, V1ObjectReference, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Allocator } from '../../../src/allocator/index.ts';
import { Controller, type ToRequest } from '../../../src/controller/controller.ts';
import { ControllerMetrics } from '../../../src/controller/metrics.ts';
import type { EventSink, EventSpec } from '../../../src/k8s/event-recorder.ts';
import { Informer, objectKey, type KubeObject, type WatchFn } from '../../../src/k8s/informer.ts';
import type { ServiceWriter, StatusChange, WriteResult } from '../../../src/k8s/service-writer.ts';
import { serviceToRequest } from '../../../src/k8s/service-request.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** One resource of the in-memory API: a list answer and the open watch, to push events through. */
class FakeResource<T extends KubeObject> {
  items: T[];
  #onEvent: ((type: string, obj: unknown) => void) | undefined;
  constructor(items: T[]) {
    this.items = items;
  }
  list = async () => ({ items: this.items, metadata: { resourceVersion: '1' } });
  watch: WatchFn = async (_p, _q, onEvent, onDone) => {
    this.#onEvent = onEvent;
    return { abort: () => onDone(null) }; // as client-node's Watch: aborting ends the watch
  };
  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    if (!this.#onEvent) throw new Error('test: no watch open');
    this.#onEvent(type, obj);
  }
  informer(name: string): Informer<T> {
    return new Informer<T>({
      name,
      path: `/fake/${name}`,
      list: this.list,
      watch: this.watch,
      backoff: { baseMs: 1, maxMs: 1 },
      delay: async () => {},
      now: () => 0,
      log: quiet,
    });
  }
}

class RecordingWriter implements ServiceWriter {
  ingress = new Map<string, string[]>();
  annotations = new Map<string, Record<string, string | null>>();
  failNext = 0;
  refuse = 0;
  fenced = false;
  notLeading = false;
  async write(svc: V1Service, change: StatusChange): Promise<{ result: WriteResult; object?: V1Service }> {
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('HTTP 500: etcdserver: request timed out'), { code: 500 });
    }
    if (this.fenced) return { result: 'superseded' };
    if (this.notLeading) return { result: 'fenced' };
    if (this.refuse > 0) {
      this.refuse--;
      throw Object.assign(new Error('HTTP 422'), {
        code: 422,
        body: { message: 'metadata.annotations: Too long: may not be more than 262144 bytes' },
      });
    }
    if (change.ingressIps !== undefined) this.ingress.set(objectKey(svc), change.ingressIps);
    if (change.annotations !== undefined)
      this.annotations.set(objectKey(svc), { ...this.annotations.get(objectKey(svc)), ...change.annotations });
    return { result: 'written', object: svc };
  }
}

class RecordingEvents implements EventSink {
  events: { object: string; event: EventSpec }[] = [];
  async record(ref: V1ObjectReference, event: EventSpec): Promise<void> {
    this.events.push({ object: `${ref.kind}/${ref.namespace}/${ref.name}`, event });
  }
}

const configMap = (addresses: string) => ({
  metadata: { name: 'config', namespace: 'ferrolb-system', resourceVersion: addresses },
  data: { config: `address-pools:\n  - name: a\n    protocol: layer2\n    addresses: [${addresses}]\n` },
});

function service(name: string, created: string, ingress: string[] = []): V1Service {
  return {
    metadata: {
      name,
      namespace: 'apps',
      creationTimestamp: new Date(created),
      resourceVersion: `${name}-1`,
      uid: `uid-${name}`,
    },
    spec: {
      type: 'LoadBalancer',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP' }],
      selector: { app: name },
    },
    status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
  };
}

async function metricLine(metrics: ControllerMetrics, name: string): Promise<string | undefined> {
  return (await metrics.registry.getSingleMetricAsString(name)).trim().split('\n').at(-1);
}

async function setup(
  services: V1Service[],
  config = configMap('192.0.2.1-192.0.2.2'),
  lbClass?: string,
  onDeposed?: (reason: string) => void,
) {
  const svcApi = new FakeResource<V1Service>(services);
  const nsApi = new FakeResource<V1Namespace>([{ metadata: { name: 'apps', resourceVersion: '1' } }]);
  const cmApi = new FakeResource<KubeObject & { data?: Record<string, string> }>([config]);
  const allocator = new Allocator();
  const writer = new RecordingWriter();
  const events = new RecordingEvents();
  const clock = new FakeClock();
  const metrics = new ControllerMetrics(() => allocator.usage());
  const controller = new Controller({
    services: svcApi.informer('services'),
    namespaces: nsApi.informer('namespaces'),
    configMaps: cmApi.informer('configmap'),
    crds: [],
    allocator,
    toRequest: serviceToRequest as ToRequest,
    writer,
    events,
    metrics,
    log: quiet,
    clock,
    options: {
      configNamespace: 'ferrolb-system',
      configName: 'config',
      workers: 4,
      configDebounceMs: 100,
      ...(lbClass ? { lbClass } : {}),
    },
    ...(onDeposed ? { onDeposed } : {}),
  });
  await controller.start();
  await controller.queue.idle();
  return { controller, allocator, writer, events, clock, metrics, svcApi, cmApi };
}

describe('Controller', () => {
  it('restores every IP already in status before assigning any (a restart never moves an IP)', async () => {
    // "old" was created first but has no IP yet; "kept" holds 192.0.2.1 in its status.
    const t = await setup([
      service('old', '2026-01-01T00:00:00Z'),
      service('kept', '2026-01-02T00:00:00Z', ['192.0.2.1']),
    ]);
    expect(t.allocator.assignmentOf('apps/kept')?.ips).toEqual(['192.0.2.1']);
    expect(t.allocator.assignmentOf('apps/old')?.ips).toEqual(['192.0.2.2']);
    expect(t.writer.ingress.get('apps/old')).toEqual(['192.0.2.2']);
    expect(t.writer.ingress.has('apps/kept')).toBe(false); // already right: no write
    expect(t.writer.annotations.get('apps/kept')).toEqual({
      'metallb.io/ip-allocated-from-pool': 'a',
      'metallb.universe.tf/ip-allocated-from-pool': 'a',
    });
    expect(t.events.events.map((e) => `${e.object} ${e.event.reason}`)).toEqual([
      'ConfigMap/ferrolb-system/config ConfigLoaded',
      'Service/apps/old IPAllocated',
    ]);
    expect(t.controller.readiness().ready).toBe(true);
    await t.controller.stop();
  });

  it('after a restart, a Service edited into a request that cannot be met keeps the IP in its status', async () => {
    const edited = service('edited', '2026-01-01T00:00:00Z', ['192.0.2.2']);
    edited.metadata!.annotations = { 'metallb.io/address-pool': 'no-such-pool' };
    const t = await setup([edited, service('other', '2026-01-02T00:00:00Z')]);
    expect(t.allocator.assignmentOf('apps/edited')?.ips).toEqual(['192.0.2.2']);
    expect(t.writer.ingress.has('apps/edited')).toBe(false); // status left as it is
    const failed = t.events.events.filter((e) => e.event.reason === 'AllocationFailed');
    expect(failed.map((e) => e.object)).toEqual(['Service/apps/edited']);
    expect(failed[0]!.event.message).toMatch(/no-such-pool.*keeping IP \["192\.0\.2\.2"\] from pool a/);
    expect(t.allocator.assignmentOf('apps/other')?.ips).toEqual(['192.0.2.1']);
    await t.controller.stop();
  });

  it('an invalid configuration keeps the last good one: nothing released, stale = 1, one Warning', async () => {
    const t = await setup([service('s', '2026-01-01T00:00:00Z')]);
    expect(t.allocator.assignmentOf('apps/s')?.ips).toEqual(['192.0.2.1']);
    t.cmApi.emit('MODIFIED', configMap('192.0.2.0/33'));
    t.clock.runAll();
    await t.controller.queue.idle();
    expect(t.allocator.assignmentOf('apps/s')?.ips).toEqual(['192.0.2.1']);
    expect((await t.metrics.registry.getSingleMetricAsString('ferrolb_config_stale')).trim().split('\n').at(-1)).toBe(
      'ferrolb_config_stale 1',
    );
    const warnings = t.events.events.filter((e) => e.event.reason === 'InvalidConfig');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.event.message).toMatch(/192\.0\.2\.0\/33/);
    // The same bad configuration seen again (a resync) is not reported twice.
    t.cmApi.emit('MODIFIED', {
      ...configMap('192.0.2.0/33'),
      metadata: { ...configMap('x').metadata, resourceVersion: 'again' },
    });
    t.clock.runAll();
    expect(t.events.events.filter((e) => e.event.reason === 'InvalidConfig')).toHaveLength(1);
    // Fixed: a new pool; the Service outside it moves.
    t.cmApi.emit('MODIFIED', configMap('198.51.100.7/32'));
    t.clock.runAll();
    await t.controller.queue.idle();
    expect(t.allocator.assignmentOf('apps/s')?.ips).toEqual(['198.51.100.7']);
    expect(t.writer.ingress.get('apps/s')).toEqual(['198.51.100.7']);
    await t.controller.stop();
  });

  it('a failed status write is retried; its Events are recorded at once, and only once', async () => {
    const t = await setup([]);
    t.writer.failNext = 1;
    t.svcApi.emit('ADDED', service('n', '2026-01-01T00:00:00Z'));
    await t.controller.queue.idle();
    expect(t.writer.ingress.has('apps/n')).toBe(false);
    expect(t.events.events.filter((e) => e.event.reason === 'IPAllocated')).toHaveLength(1);
    expect(await metricLine(t.metrics, 'ferrolb_status_write_failures_total')).toBe(
      'ferrolb_status_write_failures_total{code="500"} 1',
    );
    t.clock.runAll(); // the retry timer
    await t.controller.queue.idle();
    expect(t.writer.ingress.get('apps/n')).toEqual(['192.0.2.1']);
    expect(t.events.events.filter((e) => e.event.reason === 'IPAllocated')).toHaveLength(1);
    await t.controller.stop();
  });

  it('a write the API server refuses (422) becomes one Warning Event and a metric, and is retried slowly', async () => {
    const t = await setup([]);
    t.writer.refuse = 3;
    t.svcApi.emit('ADDED', service('n', '2026-01-01T00:00:00Z'));
    await t.controller.queue.idle();
    const refused = t.events.events.filter((e) => e.event.reason === 'WriteRefused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.event.message).toMatch(/422.*Too long/);
    expect(t.events.events.filter((e) => e.event.reason === 'IPAllocated')).toHaveLength(1);
    expect(await metricLine(t.metrics, 'ferrolb_status_write_failures_total')).toBe(
      'ferrolb_status_write_failures_total{code="422"} 1',
    );
    // One retry timer, 30 s or more away (the work queue's own fast retries are not used).
    expect(t.clock.nextAt()).toBe(t.clock.now() + 30_000);
    t.clock.advance(30_000);
    await t.controller.queue.idle();
    expect(t.clock.nextAt()).toBe(t.clock.now() + 60_000);
    expect(t.events.events.filter((e) => e.event.reason === 'WriteRefused')).toHaveLength(1); // same message: not repeated
    await t.controller.stop();
  });

  it('a write refused by the leadership fence steps down at once and writes nothing more', async () => {
    const deposed: string[] = [];
    const t = await setup([], undefined, undefined, (r) => deposed.push(r));
    t.writer.fenced = true;
    t.svcApi.emit('ADDED', service('n', '2026-01-01T00:00:00Z'));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the queue stops itself: idle() would not resolve
    expect(deposed).toHaveLength(1);
    t.writer.fenced = false;
    t.svcApi.emit('ADDED', service('m', '2026-01-01T00:00:00Z'));
    await new Promise((resolve) => setTimeout(resolve, 20)); // the queue is stopped: nothing to wait for
    expect(t.controller.queue.inFlight).toBe(0);
    expect(t.writer.ingress.size).toBe(0);
    expect(t.events.events.filter((e) => e.object.startsWith('Service/'))).toEqual([]);
    await t.controller.stop();
  });

  it('a write held back because leadership was lost sends nothing, records no Event and does not exit', async () => {
    const deposed: string[] = [];
    const t = await setup([], undefined, undefined, (r) => deposed.push(r));
    t.writer.notLeading = true;
    t.svcApi.emit('ADDED', service('n', '2026-01-01T00:00:00Z'));
    await t.controller.queue.idle();
    expect(deposed).toEqual([]);
    expect(t.writer.ingress.size).toBe(0);
    expect(t.events.events.filter((e) => e.object.startsWith('Service/'))).toEqual([]);
    expect(await metricLine(t.metrics, 'ferrolb_writes_fenced_total')).toBe('ferrolb_writes_fenced_total 1');
    await t.controller.stop();
  });

  it('another writer changing a status we hold is logged and counted, and ours is written back', async () => {
    const t = await setup([service('s', '2026-01-01T00:00:00Z', ['192.0.2.1'])]);
    const changed = service('s', '2026-01-01T00:00:00Z', ['192.0.2.2']);
    changed.metadata!.resourceVersion = 's-2';
    t.svcApi.emit('MODIFIED', changed);
    await t.controller.queue.idle();
    expect(await metricLine(t.metrics, 'ferrolb_status_foreign_writes_total')).toBe(
      'ferrolb_status_foreign_writes_total 1',
    );
    expect(t.writer.ingress.get('apps/s')).toEqual(['192.0.2.1']);
    await t.controller.stop();
  });

  it('after a restart, a Service whose spec became invalid keeps the valid in-pool IP in its status', async () => {
    const broken = service('broken', '2026-01-01T00:00:00Z', ['192.0.2.2']);
    broken.metadata!.annotations = { 'metallb.io/loadBalancerIPs': 'not-an-ip' };
    const t = await setup([service('first', '2026-01-01T00:00:00Z'), broken]);
    expect(t.allocator.assignmentOf('apps/broken')?.ips).toEqual(['192.0.2.2']);
    expect(t.allocator.assignmentOf('apps/first')?.ips).toEqual(['192.0.2.1']);
    expect(t.writer.ingress.has('apps/broken')).toBe(false);
    const failed = t.events.events.filter((e) => e.event.reason === 'AllocationFailed');
    expect(failed.map((e) => e.object)).toEqual(['Service/apps/broken']);
    expect(failed[0]!.event.message).toMatch(/not-an-ip.*keeping IP \["192\.0\.2\.2"\] from pool a/);
    await t.controller.stop();
  });

  it('a deleted Service frees its IP for one that was waiting', async () => {
    const t = await setup([
      service('a', '2026-01-01T00:00:00Z'),
      service('b', '2026-01-02T00:00:00Z'),
      service('c', '2026-01-03T00:00:00Z'),
    ]);
    expect(t.allocator.assignmentOf('apps/c')).toBeUndefined();
    expect(t.events.events.filter((e) => e.event.reason === 'AllocationFailed').map((e) => e.object)).toEqual([
      'Service/apps/c',
    ]);
    t.svcApi.emit('DELETED', service('a', '2026-01-01T00:00:00Z'));
    await t.controller.queue.idle();
    await t.controller.queue.idle();
    expect(t.allocator.assignmentOf('apps/c')?.ips).toEqual(['192.0.2.1']);
    await t.controller.stop();
  });

  it('--lb-class: only Services of that class are handled', async () => {
    const classed = (name: string, cls?: string): V1Service => {
      const s = service(name, '2026-01-01T00:00:00Z');
      if (cls) s.spec!.loadBalancerClass = cls;
      return s;
    };
    const t = await setup(
      [classed('mine', 'ferrolb.io/lb'), classed('unclassed'), classed('other', 'example.com/lb')],
      undefined,
      'ferrolb.io/lb',
    );
    expect(t.allocator.assignmentOf('apps/mine')?.ips).toEqual(['192.0.2.1']);
    expect(t.allocator.assignmentOf('apps/unclassed')).toBeUndefined();
    expect(t.allocator.assignmentOf('apps/other')).toBeUndefined();
    expect([...t.writer.ingress.keys()]).toEqual(['apps/mine']);
    await t.controller.stop();
  });
});
