// The controller: informers feed a work queue keyed by Service; each key is reconciled by asking the
// allocator, then the pure reconcile decision, then writing status/annotations and recording Events.
// Configuration changes (ConfigMap or metallb.io objects) are debounced, parsed, and applied to the
// allocator only when valid; an invalid one keeps the last good configuration in force.
import type { V1Namespace, V1ObjectReference, V1Service } from '@kubernetes/client-node';
import type { AllocationRequest, AllocationResult, Assignment, PoolUsage } from '../allocator/types.ts';
import type { Config, Pool } from '../config/model.ts';
import { poolContaining } from '../config/index.ts';
import { formatProblem } from '../config/model.ts';
import type { EventSink, EventSpec } from '../k8s/event-recorder.ts';
import { errorText, objectKey, type Informer, type KubeObject } from '../k8s/informer.ts';
import { ingressIps, type ServiceWriter } from '../k8s/service-writer.ts';
import type { ConfigMapLike, CrdObject } from '../k8s/metallb-kinds.ts';
import type { Clock, Timer } from '../time/index.ts';
import { RECONCILE_BACKOFF } from './backoff.ts';
import { configFingerprint, crdWhere, loadConfig } from './config-source.ts';
import type { ControllerMetrics } from './metrics.ts';
import { POOL_ANNOTATIONS, reconcileService, type Outcome } from './reconcile.ts';
import { WorkQueue } from './work-queue.ts';

export interface AllocatorLike {
  setPools(pools: Pool[]): string[];
  assign(req: AllocationRequest): AllocationResult;
  restore(req: AllocationRequest, ips: string[]): AllocationResult;
  release(key: string): void;
  assignmentOf(key: string): Assignment | undefined;
  usage(): PoolUsage[];
}

export type ServiceDecision =
  | { kind: 'request'; request: AllocationRequest }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; message: string };

export type ToRequest = (svc: V1Service, opts: { lbClass?: string; namespaceLabels?: Record<string, string> }) => ServiceDecision;

export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface ControllerOptions {
  lbClass?: string;
  configNamespace: string;
  configName: string;
  workers: number;
  /** Quiet time after a configuration object changes before the configuration is reloaded. */
  configDebounceMs: number;
}

export interface ControllerDeps {
  services: Informer<V1Service>;
  namespaces: Informer<V1Namespace>;
  configMaps: Informer<ConfigMapLike & KubeObject>;
  crds: Informer<CrdObject & KubeObject>[];
  allocator: AllocatorLike;
  toRequest: ToRequest;
  writer: ServiceWriter;
  events: EventSink;
  metrics: ControllerMetrics;
  log: Logger;
  /** Retry and debounce timers (unref'd: they never keep the process alive). */
  clock: Clock;
  options: ControllerOptions;
}

function serviceRef(svc: V1Service): V1ObjectReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: svc.metadata?.name,
    namespace: svc.metadata?.namespace,
    uid: svc.metadata?.uid,
    resourceVersion: svc.metadata?.resourceVersion,
  };
}

function creationOrder(a: V1Service, b: V1Service): number {
  const ta = a.metadata?.creationTimestamp ? new Date(a.metadata.creationTimestamp).getTime() : 0;
  const tb = b.metadata?.creationTimestamp ? new Date(b.metadata.creationTimestamp).getTime() : 0;
  return ta - tb || objectKey(a).localeCompare(objectKey(b));
}

export class Controller {
  readonly #d: ControllerDeps;
  readonly #queue: WorkQueue;
  #config: Config | undefined;
  #configFingerprint = '';
  #problemsFingerprint = '';
  #stale = false;
  #synced = false;
  #stopped = false;
  #configTimer: Timer | undefined;
  /** AllocationFailed message last recorded, per Service key (also: the set of Services waiting for room). */
  readonly #failures = new Map<string, string>();
  /** Events decided but not yet recorded because a write failed; recorded after the retry succeeds. */
  readonly #pendingEvents = new Map<string, EventSpec[]>();

  constructor(deps: ControllerDeps) {
    this.#d = deps;
    this.#queue = new WorkQueue({
      handler: (key) => this.#reconcile(key),
      concurrency: deps.options.workers,
      backoff: RECONCILE_BACKOFF,
      clock: deps.clock,
      onError: (key, err, failures, retryInMs) =>
        deps.log.warn({ service: key, error: errorText(err), failures, retryInMs }, 'reconcile failed: will retry'),
    });
  }

  /** Initial sync done and a configuration loaded. */
  readiness(): { ready: boolean; why: string } {
    if (!this.#synced) return { ready: false, why: 'initial list of Services, Namespaces and configuration not done yet' };
    if (!this.#config) return { ready: false, why: 'no valid configuration loaded yet' };
    return { ready: true, why: this.#stale ? 'ok (configuration stale: the last good one is in force)' : 'ok' };
  }

  get queue(): WorkQueue {
    return this.#queue;
  }

  async start(): Promise<void> {
    const d = this.#d;
    const enqueue = (obj: V1Service): void => this.#queue.add(objectKey(obj));
    d.services.on({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue, onResync: () => this.#enqueueAll() });
    d.namespaces.on({
      onUpdate: (ns, old) => {
        if (JSON.stringify(ns.metadata?.labels ?? {}) !== JSON.stringify(old.metadata?.labels ?? {})) {
          this.#enqueueNamespace(ns.metadata?.name ?? '');
        }
      },
      onAdd: (ns) => this.#enqueueNamespace(ns.metadata?.name ?? ''),
    });
    const configChanged = (): void => this.#scheduleConfigReload();
    for (const inf of [d.configMaps, ...d.crds]) {
      inf.on({ onAdd: configChanged, onUpdate: configChanged, onDelete: configChanged, onResync: configChanged });
    }
    const all = [d.services, d.namespaces, d.configMaps, ...d.crds];
    for (const inf of all) inf.start();
    await Promise.all(all.map((inf) => inf.whenSynced()));
    if (this.#stopped) return;
    this.#synced = true;
    d.log.info({ services: d.services.list().length, namespaces: d.namespaces.list().length }, 'initial sync done');
    // Loads the configuration and, the first time, restores every Service's IPs before any assignment.
    this.#reloadConfig();
    this.#enqueueAll();
    this.#queue.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.stop();
    this.#configTimer?.cancel();
    const d = this.#d;
    await Promise.all([d.services, d.namespaces, d.configMaps, ...d.crds].map((inf) => inf.stop()));
  }

  #enqueueAll(): void {
    for (const svc of this.#d.services.list()) this.#queue.add(objectKey(svc));
  }

  #enqueueNamespace(ns: string): void {
    for (const svc of this.#d.services.list()) if (svc.metadata?.namespace === ns) this.#queue.add(objectKey(svc));
  }

  /** Addresses were freed: Services that failed for lack of room get another chance. */
  #retryFailed(): void {
    for (const key of this.#failures.keys()) this.#queue.add(key);
  }

  #scheduleConfigReload(): void {
    if (!this.#synced || this.#stopped) return; // the initial load happens in start()
    this.#configTimer?.cancel();
    this.#configTimer = this.#d.clock.setTimer(
      this.#d.options.configDebounceMs,
      () => {
        this.#configTimer = undefined;
        this.#reloadConfig();
      },
      { unref: true },
    );
  }

  #configRef(): V1ObjectReference {
    const { configNamespace, configName } = this.#d.options;
    return { apiVersion: 'v1', kind: 'ConfigMap', namespace: configNamespace, name: configName };
  }

  #reloadConfig(): void {
    const d = this.#d;
    const { configNamespace, configName } = d.options;
    const load = loadConfig({
      configMap: d.configMaps.get(`${configNamespace}/${configName}`),
      crds: d.crds.flatMap((inf) => inf.list()),
      configMapRef: { namespace: configNamespace, name: configName },
    });
    if (load.kind === 'none') {
      if (this.#config === undefined) {
        d.log.warn({ configMap: `${configNamespace}/${configName}` }, 'no configuration found (neither the ConfigMap nor metallb.io resources): waiting');
        return;
      }
      this.#reportInvalid(
        [
          {
            where: `ConfigMap/${configNamespace}/${configName}`,
            path: '',
            message: 'the configuration disappeared (neither the ConfigMap nor metallb.io resources exist); keeping the last good one',
          },
        ],
        this.#configRef(),
      );
      return;
    }
    if (load.kind === 'invalid') {
      let ref = this.#configRef();
      if (load.source === 'crds') {
        const first = load.problems[0]?.where ?? '';
        const obj = d.crds.flatMap((inf) => inf.list()).find((o) => crdWhere(o) === first);
        if (obj) ref = { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name };
      }
      this.#reportInvalid(load.problems.map(formatProblem), ref);
      return;
    }
    const fingerprint = configFingerprint(load.config);
    if (fingerprint === this.#configFingerprint && !this.#stale) return;
    const first = this.#config === undefined;
    const released = d.allocator.setPools(load.config.pools);
    this.#config = load.config;
    this.#configFingerprint = fingerprint;
    this.#problemsFingerprint = '';
    const wasStale = this.#stale;
    this.#stale = false;
    d.metrics.configStale.set(0);
    d.metrics.configLoads.inc({ result: 'success' });
    const pools = load.config.pools.map((p) => p.name);
    d.log.info({ source: load.source, pools, released: released.length }, 'configuration loaded');
    const ref = load.source === 'configmap' ? this.#configRef() : undefined;
    if (ref) {
      void d.events.record(ref, {
        type: 'Normal',
        reason: 'ConfigLoaded',
        message: `Loaded ${pools.length} pool(s) [${pools.join(', ')}]${wasStale ? '; the configuration is no longer stale' : ''}`,
      });
    }
    if (first) this.#restoreAll();
    this.#enqueueAll();
  }

  #reportInvalid(problems: (string | { where: string; path: string; message: string })[], ref: V1ObjectReference): void {
    const d = this.#d;
    const lines = problems.map((p) => (typeof p === 'string' ? p : formatProblem(p)));
    this.#stale = this.#config !== undefined;
    d.metrics.configStale.set(this.#stale ? 1 : 0);
    const fingerprint = lines.join('\n');
    if (fingerprint === this.#problemsFingerprint) return;
    this.#problemsFingerprint = fingerprint;
    d.metrics.configLoads.inc({ result: 'failure' });
    d.log.error({ problems: lines, stale: this.#stale }, 'invalid configuration: the last good configuration stays in force');
    void d.events.record(ref, {
      type: 'Warning',
      reason: 'InvalidConfig',
      message: `${this.#stale ? 'Configuration stale, the last good one is kept' : 'No valid configuration yet'}: ${lines.length} problem(s): ${lines.join('; ')}`,
    });
  }

  /** First configuration: take back every IP already in a Service's status, before assigning any. */
  #restoreAll(): void {
    const d = this.#d;
    let restored = 0;
    let refused = 0;
    for (const svc of d.services.list().sort(creationOrder)) {
      const ips = ingressIps(svc);
      if (ips.length === 0) continue;
      const decision = this.#toRequest(svc);
      if (decision.kind !== 'request') continue;
      const r = d.allocator.restore(decision.request, ips);
      if (r.ok) restored++;
      else {
        refused++;
        d.log.warn({ service: objectKey(svc), ip: ips, reason: r.error.code, error: r.error.message }, 'cannot keep the IP in status: will allocate again');
      }
    }
    d.log.info({ restored, refused }, 'restored existing allocations');
  }

  #toRequest(svc: V1Service): ServiceDecision {
    const ns = svc.metadata?.namespace ?? '';
    const namespaceLabels = this.#d.namespaces.get(ns)?.metadata?.labels ?? {};
    const opts: { lbClass?: string; namespaceLabels: Record<string, string> } = { namespaceLabels };
    if (this.#d.options.lbClass !== undefined) opts.lbClass = this.#d.options.lbClass;
    return this.#d.toRequest(svc, opts);
  }

  async #reconcile(key: string): Promise<void> {
    const d = this.#d;
    const svc = d.services.get(key);
    if (svc === undefined) {
      this.#failures.delete(key);
      this.#pendingEvents.delete(key);
      const prev = d.allocator.assignmentOf(key);
      if (prev) {
        d.allocator.release(key);
        d.log.info({ service: key, ip: prev.ips, pool: prev.pool }, 'Service deleted: IP released');
        this.#retryFailed();
      }
      return;
    }
    const config = this.#config;
    if (config === undefined) return; // nothing can be decided; loading a configuration enqueues everything

    const decision = this.#toRequest(svc);
    const previous = d.allocator.assignmentOf(key);
    const state = { ingressIps: ingressIps(svc), annotations: svc.metadata?.annotations ?? {} };
    let outcome: Outcome;
    if (decision.kind === 'skip') {
      outcome = { kind: 'skip', reason: decision.reason };
      if (previous) d.allocator.release(key);
    } else if (decision.kind === 'error') {
      // A Service edited into something invalid keeps the IP it has until it is fixed or deleted.
      outcome = { kind: 'invalid', message: decision.message, ...(previous ? { kept: previous } : {}) };
    } else {
      let result: AllocationResult | undefined;
      if (previous === undefined && state.ingressIps.length > 0) {
        result = d.allocator.restore(decision.request, state.ingressIps);
        if (!result.ok) result = undefined;
      }
      result ??= d.allocator.assign(decision.request);
      if (!result.ok && result.kept === undefined && previous === undefined && state.ingressIps.length > 0) {
        // After a restart: the Service was edited into a request that cannot be met while we were away.
        // It keeps the IPs in its status when they still lie in a pool and clash with nobody, as it would
        // have had we been running (the allocator then reports them as kept on every later pass).
        const held = d.allocator.restore({ ...decision.request, requestedIps: [], poolHint: undefined }, state.ingressIps);
        if (held.ok) result = { ...result, kept: held.assignment };
      }
      outcome = result.ok
        ? { kind: 'assigned', assignment: result.assignment }
        : { kind: 'failed', error: result.error, ...(result.kept ? { kept: result.kept } : {}) };
    }
    const ours = POOL_ANNOTATIONS.some((a) => state.annotations[a] !== undefined);
    const ownedIps = previous?.ips ?? (ours ? state.ingressIps.filter((ip) => poolContaining(config.pools, ip) !== undefined) : []);
    const result = reconcileService({ service: state, previous, outcome, ownedIps, lastFailure: this.#failures.get(key) });

    if (result.allocated) d.metrics.allocations.inc();
    if (outcome.kind === 'failed' && result.events.length > 0) d.metrics.failures.inc({ reason: outcome.error.code });
    if (outcome.kind === 'invalid' && result.events.length > 0) d.metrics.failures.inc({ reason: 'InvalidService' });
    if (result.failure !== undefined) this.#failures.set(key, result.failure);
    else this.#failures.delete(key);
    const now = d.allocator.assignmentOf(key);
    if (previous && (now === undefined || now.ips.join() !== previous.ips.join())) this.#retryFailed();

    const events = [...(this.#pendingEvents.get(key) ?? []), ...result.events];
    if (events.length > 0) this.#pendingEvents.set(key, events);
    let gone = false;
    if (result.ingressIps !== undefined) gone = (await d.writer.writeIngress(svc, result.ingressIps)) === 'gone';
    if (!gone && result.annotations !== undefined) gone = (await d.writer.patchAnnotations(svc, result.annotations)) === 'gone';
    this.#pendingEvents.delete(key);
    if (gone) return; // the Service went away meanwhile; its delete event releases the IP
    for (const e of events) await d.events.record(serviceRef(svc), e);

    const fields = { service: key, ip: now?.ips ?? [], pool: now?.pool };
    if (result.allocated) d.log.info(fields, 'IP allocated');
    else if (outcome.kind === 'failed' && result.events.length > 0)
      d.log.warn({ ...fields, reason: outcome.error.code, error: outcome.error.message }, 'allocation failed');
    else if (outcome.kind === 'invalid' && result.events.length > 0) d.log.warn({ ...fields, error: outcome.message }, 'invalid Service');
    else if (outcome.kind === 'skip' && previous) d.log.info({ ...fields, ip: previous.ips, pool: previous.pool, reason: outcome.reason }, 'IP released');
  }
}
