// The controller: informers feed a work queue keyed by Service; each key is reconciled by asking the
// allocator, then the pure reconcile decision, then writing status/annotations and recording Events.
// Configuration changes (ConfigMap or metallb.io objects) are debounced, parsed, and applied to the
// allocator only when valid; an invalid one keeps the last good configuration in force.
//
// Leadership: the controller runs only on the replica holding the Lease (controller/main.ts). When it
// took the Lease over from a holder that did not release it, it first fences every Service it manages
// (one status write each, stamped with its term, see service-writer.ts) and restores the allocator from
// the fenced versions, before it assigns any address: the old leader can no longer write any of them.
import type { V1Namespace, V1ObjectReference, V1Service } from '@kubernetes/client-node';
import type { AllocationRequest, AllocationResult, Assignment, PoolUsage } from '../allocator/types.ts';
import type { Config, Pool } from '../config/model.ts';
import { poolContaining } from '../config/index.ts';
import { formatProblem } from '../config/model.ts';
import type { EventSink } from '../k8s/event-recorder.ts';
import { errorText, objectKey, type Informer, type KubeObject } from '../k8s/informer.ts';
import { ingressIps, leaderTermOf, type StatusChange, type ServiceWriter } from '../k8s/service-writer.ts';
import { looseRequest } from '../k8s/service-request.ts';
import type { ConfigMapLike, CrdObject } from '../k8s/metallb-kinds.ts';
import { backoffDelay, type Clock, type Timer } from '../time/index.ts';
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

export type ToRequest = (
  svc: V1Service,
  opts: { lbClass?: string; namespaceLabels?: Record<string, string> },
) => ServiceDecision;

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
  /** A write was refused because another replica leads now (or our renew deadline passed): step down. */
  onDeposed?: (reason: string) => void;
}

/** How the controller starts: `fence` when the Lease was taken over from a holder that did not release it. */
export interface StartOptions {
  fence?: boolean;
}

/** A 4xx the API server answers to a status write: the request itself is refused (e.g. 422, 403). */
function refusedCode(err: unknown): number | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'number' && code >= 400 && code < 500 && code !== 404 && code !== 409 && code !== 429
    ? code
    : undefined;
}

/** Retries of a write the API server refused: it will not pass unless something changes (which enqueues it anyway). */
const REFUSED_RETRY = { baseMs: 30_000, maxMs: 600_000 };

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
  /** The IPs this controller last wrote to each Service's status (to tell its own writes from another writer's). */
  readonly #written = new Map<string, string>();
  /** WriteRefused message last recorded, per Service key, and the retry timer and count of refused writes. */
  readonly #refused = new Map<string, { message: string; count: number; timer?: Timer }>();
  /** The stored Services after the fence writes (newer than the cache until the watch catches up). */
  readonly #fenced = new Map<string, V1Service>();
  readonly #inflight = new Set<Promise<void>>();
  #deposed = false;

  constructor(deps: ControllerDeps) {
    this.#d = deps;
    this.#queue = new WorkQueue({
      handler: (key) => this.#track(this.#reconcile(key)),
      concurrency: deps.options.workers,
      backoff: RECONCILE_BACKOFF,
      clock: deps.clock,
      onError: (key, err, failures, retryInMs) =>
        deps.log.warn({ service: key, error: errorText(err), failures, retryInMs }, 'reconcile failed: will retry'),
    });
  }

  /** Initial sync done and a configuration loaded. */
  readiness(): { ready: boolean; why: string } {
    if (!this.#synced)
      return { ready: false, why: 'initial list of Services, Namespaces and configuration not done yet' };
    if (!this.#config) return { ready: false, why: 'no valid configuration loaded yet' };
    return { ready: true, why: this.#stale ? 'ok (configuration stale: the last good one is in force)' : 'ok' };
  }

  get queue(): WorkQueue {
    return this.#queue;
  }

  #track(p: Promise<void>): Promise<void> {
    this.#inflight.add(p);
    void p.then(
      () => this.#inflight.delete(p),
      () => this.#inflight.delete(p),
    );
    return p;
  }

  async start(opts: StartOptions = {}): Promise<void> {
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
    d.log.info({ services: d.services.list().length, namespaces: d.namespaces.list().length }, 'initial sync done');
    if (opts.fence) await this.#fenceAll();
    if (this.#stopped || this.#deposed) return;
    this.#synced = true;
    // Loads the configuration and, the first time, restores every Service's IPs before any assignment.
    this.#reloadConfig();
    this.#enqueueAll();
    this.#queue.start();
  }

  /** Stops taking work and waits for the reconciles in flight (their writes) to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.stop();
    this.#configTimer?.cancel();
    for (const r of this.#refused.values()) r.timer?.cancel();
    const d = this.#d;
    await Promise.allSettled([...this.#inflight]);
    await Promise.all([d.services, d.namespaces, d.configMaps, ...d.crds].map((inf) => inf.stop()));
  }

  #depose(reason: string): void {
    if (this.#deposed) return;
    this.#deposed = true;
    this.#d.metrics.writesFenced.inc();
    this.#d.log.warn({ reason }, 'write refused by the leadership fence: stepping down');
    this.#queue.stop();
    this.#d.onDeposed?.(reason);
  }

  /** The Services a previous leader may have been writing: ours by class and type, or carrying our annotations. */
  #managed(svc: V1Service): boolean {
    const annotations = svc.metadata?.annotations ?? {};
    if (POOL_ANNOTATIONS.some((a) => annotations[a] !== undefined) || leaderTermOf(svc) !== undefined) return true;
    return this.#toRequest(svc).kind !== 'skip';
  }

  /**
   * After a takeover: one write per managed Service (status unchanged, our term stamped), with the
   * resourceVersion listed after we took the Lease. Each write moves the Service past every version the
   * old leader can have read, so none of its writes can apply any more; the written objects are what
   * the allocator is restored from. No address is assigned before this is done.
   */
  async #fenceAll(): Promise<void> {
    const d = this.#d;
    const keys = d.services
      .list()
      .filter((s) => this.#managed(s))
      .map(objectKey);
    let next = 0;
    let conflicts = 0;
    const sleep = (ms: number): Promise<void> =>
      new Promise((resolve) => d.clock.setTimer(ms, resolve, { unref: true }));
    const fenceOne = async (key: string): Promise<void> => {
      for (let attempt = 1; !this.#stopped && !this.#deposed; attempt++) {
        const svc = d.services.get(key);
        if (svc === undefined) return;
        try {
          const r = await d.writer.write(svc, {});
          if (r.result === 'written' && r.object) {
            this.#fenced.set(key, r.object);
            return;
          }
          if (r.result === 'gone') return;
          if (r.result === 'superseded') return this.#depose(`fencing ${key}: another replica leads`);
          if (r.result === 'fenced') return; // leadership lost meanwhile: the elector stops us
          conflicts++; // a newer version: wait until the watch brings it, then stamp that one
          const rv = svc.metadata?.resourceVersion;
          for (let i = 0; i < 100 && d.services.get(key)?.metadata?.resourceVersion === rv; i++) await sleep(50);
        } catch (err) {
          if (refusedCode(err) !== undefined) {
            // Refused for what the object is (422) or for who we are (403): the old leader's writes, made
            // with the same credentials to the same object, are refused alike. Not worth blocking on.
            d.log.error(
              { service: key, error: errorText(err) },
              'fence write refused by the API server: skipping this Service',
            );
            return;
          }
          d.log.warn({ service: key, error: errorText(err), attempt }, 'fence write failed: retrying');
          await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
        }
      }
    };
    await Promise.all(
      Array.from({ length: d.options.workers }, async () => {
        while (next < keys.length) await fenceOne(keys[next++]!);
      }),
    );
    d.log.info(
      { services: keys.length, fenced: this.#fenced.size, conflicts },
      'fenced every managed Service against the previous leader',
    );
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
        d.log.warn(
          { configMap: `${configNamespace}/${configName}` },
          'no configuration found (neither the ConfigMap nor metallb.io resources): waiting',
        );
        return;
      }
      this.#reportInvalid(
        [
          {
            where: `ConfigMap/${configNamespace}/${configName}`,
            path: '',
            message:
              'the configuration disappeared (neither the ConfigMap nor metallb.io resources exist); keeping the last good one',
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
        if (obj)
          ref = {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            namespace: obj.metadata?.namespace,
            name: obj.metadata?.name,
          };
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

  #reportInvalid(
    problems: (string | { where: string; path: string; message: string })[],
    ref: V1ObjectReference,
  ): void {
    const d = this.#d;
    const lines = problems.map((p) => (typeof p === 'string' ? p : formatProblem(p)));
    this.#stale = this.#config !== undefined;
    d.metrics.configStale.set(this.#stale ? 1 : 0);
    const fingerprint = lines.join('\n');
    if (fingerprint === this.#problemsFingerprint) return;
    this.#problemsFingerprint = fingerprint;
    d.metrics.configLoads.inc({ result: 'failure' });
    d.log.error(
      { problems: lines, stale: this.#stale },
      'invalid configuration: the last good configuration stays in force',
    );
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
    const services = d.services.list().map((s) => this.#fenced.get(objectKey(s)) ?? s);
    this.#fenced.clear();
    for (const svc of services.sort(creationOrder)) {
      const ips = ingressIps(svc);
      if (ips.length === 0) continue;
      const decision = this.#toRequest(svc);
      if (decision.kind === 'skip') continue;
      // Whatever the spec says now (an unknown pool, a bad annotation, another requested IP), a valid
      // in-pool address in the status stays with its Service, as it would had we been running; the
      // reconcile that follows reports the request it cannot meet (AllocationFailed, keeping the IP).
      const request = decision.kind === 'request' ? decision.request : looseRequest(svc, this.#namespaceLabels(svc));
      let r = d.allocator.restore(request, ips);
      if (!r.ok && (request.requestedIps.length > 0 || request.poolHint !== undefined)) {
        const plain = { ...request, requestedIps: [] };
        delete plain.poolHint;
        r = d.allocator.restore(plain, ips);
      }
      if (r.ok) {
        restored++;
        this.#written.set(objectKey(svc), ips.join(','));
      } else {
        refused++;
        d.log.warn(
          { service: objectKey(svc), ip: ips, reason: r.error.code, error: r.error.message },
          'cannot keep the IP in status: will allocate again',
        );
      }
    }
    d.log.info({ restored, refused }, 'restored existing allocations');
  }

  #namespaceLabels(svc: V1Service): Record<string, string> {
    return this.#d.namespaces.get(svc.metadata?.namespace ?? '')?.metadata?.labels ?? {};
  }

  #toRequest(svc: V1Service): ServiceDecision {
    const namespaceLabels = this.#namespaceLabels(svc);
    const opts: { lbClass?: string; namespaceLabels: Record<string, string> } = { namespaceLabels };
    if (this.#d.options.lbClass !== undefined) opts.lbClass = this.#d.options.lbClass;
    return this.#d.toRequest(svc, opts);
  }

  async #reconcile(key: string): Promise<void> {
    const d = this.#d;
    if (this.#deposed) return;
    const svc = d.services.get(key);
    if (svc === undefined) {
      this.#failures.delete(key);
      this.#written.delete(key);
      this.#clearRefused(key);
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
    this.#noticeOtherWriter(key, svc, previous, state.ingressIps);
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
        // The Service was edited into a request that cannot be met before we held anything for it (it
        // appeared with an IP in its status): it keeps the IPs in its status when they still lie in a
        // pool and clash with nobody, as it would have had we been running.
        const plain = { ...decision.request, requestedIps: [] };
        delete plain.poolHint;
        const held = d.allocator.restore(plain, state.ingressIps);
        if (held.ok) result = { ...result, kept: held.assignment };
      }
      outcome = result.ok
        ? { kind: 'assigned', assignment: result.assignment }
        : { kind: 'failed', error: result.error, ...(result.kept ? { kept: result.kept } : {}) };
    }
    const ours = POOL_ANNOTATIONS.some((a) => state.annotations[a] !== undefined);
    const ownedIps =
      previous?.ips ?? (ours ? state.ingressIps.filter((ip) => poolContaining(config.pools, ip) !== undefined) : []);
    const result = reconcileService({
      service: state,
      previous,
      outcome,
      ownedIps,
      lastFailure: this.#failures.get(key),
    });

    if (result.allocated) d.metrics.allocations.inc();
    if (outcome.kind === 'failed' && result.events.length > 0) d.metrics.failures.inc({ reason: outcome.error.code });
    if (outcome.kind === 'invalid' && result.events.length > 0) d.metrics.failures.inc({ reason: 'InvalidService' });
    if (result.failure !== undefined) this.#failures.set(key, result.failure);
    else this.#failures.delete(key);
    const now = d.allocator.assignmentOf(key);
    if (previous && (now === undefined || now.ips.join() !== previous.ips.join())) this.#retryFailed();

    const change: StatusChange = {};
    if (result.ingressIps !== undefined) change.ingressIps = result.ingressIps;
    if (result.annotations !== undefined) change.annotations = result.annotations;
    let writeError: unknown;
    if (change.ingressIps !== undefined || change.annotations !== undefined) {
      try {
        const w = await d.writer.write(svc, change);
        if (w.result === 'superseded') return this.#depose(`writing ${key}: ${key} carries a newer leader's term`);
        if (w.result === 'fenced') {
          // Leadership lost or stopping: nothing was sent; the elector (or the shutdown) stops this controller.
          this.#d.metrics.writesFenced.inc();
          return;
        }
        if (w.result === 'gone') return; // the Service went away meanwhile; its delete event releases the IP
        // 'conflict': a newer version exists; the watch brings it and this key runs again.
        if (w.result === 'written') {
          this.#written.set(key, ingressIps(w.object ?? svc).join(','));
          this.#clearRefused(key);
        }
      } catch (err) {
        writeError = err;
      }
    }
    // The decision's Events are recorded whatever became of the write (a refused write adds its own).
    for (const e of result.events) await d.events.record(serviceRef(svc), e);
    if (writeError !== undefined) await this.#writeFailed(key, svc, writeError);

    const fields = { service: key, ip: now?.ips ?? [], pool: now?.pool };
    if (result.allocated) d.log.info(fields, 'IP allocated');
    else if (outcome.kind === 'failed' && result.events.length > 0)
      d.log.warn({ ...fields, reason: outcome.error.code, error: outcome.error.message }, 'allocation failed');
    else if (outcome.kind === 'invalid' && result.events.length > 0)
      d.log.warn({ ...fields, error: outcome.message }, 'invalid Service');
    else if (outcome.kind === 'skip' && previous)
      d.log.info({ ...fields, ip: previous.ips, pool: previous.pool, reason: outcome.reason }, 'IP released');
  }

  /** Another writer changed the status of a Service we hold an assignment for: log it, count it (we write ours back). */
  #noticeOtherWriter(key: string, svc: V1Service, previous: { ips: string[] } | undefined, status: string[]): void {
    if (previous === undefined || status.length === 0) return;
    const seen = status.join(',');
    if (seen === previous.ips.join(',') || seen === this.#written.get(key)) return;
    this.#d.metrics.foreignWrites.inc();
    this.#d.log.warn(
      {
        service: key,
        ip: status,
        ours: previous.ips,
        writer: svc.metadata?.annotations?.['ferrolb.io/leader-term'] ?? null,
      },
      'another writer changed the Service status: writing ours back',
    );
  }

  #clearRefused(key: string): void {
    const r = this.#refused.get(key);
    r?.timer?.cancel();
    this.#refused.delete(key);
  }

  /**
   * A status write failed. Refused by the API server (4xx: invalid, forbidden, too large): a Warning
   * Event (once per distinct message), the metric, and a slow retry (it cannot pass until something
   * changes, and a change enqueues the Service anyway). Anything else (5xx, network): rethrown, so the
   * work queue retries with its backoff.
   */
  async #writeFailed(key: string, svc: V1Service, err: unknown): Promise<void> {
    const d = this.#d;
    const code = refusedCode(err);
    d.metrics.writeFailures.inc({
      code: String(
        code ?? (typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : 'network'),
      ),
    });
    if (code === undefined) throw err;
    const message = `Status write refused by the API server: ${errorText(err)}`;
    const prev = this.#refused.get(key);
    const count = (prev?.count ?? 0) + 1;
    prev?.timer?.cancel();
    const retryInMs = backoffDelay(REFUSED_RETRY, count);
    const timer = d.clock.setTimer(
      retryInMs,
      () => {
        const r = this.#refused.get(key);
        if (r) delete r.timer;
        this.#queue.add(key);
      },
      { unref: true },
    );
    this.#refused.set(key, { message, count, timer });
    d.log.warn({ service: key, code, error: errorText(err), failures: count, retryInMs }, 'status write refused');
    if (prev?.message !== message) {
      await d.events.record(serviceRef(svc), { type: 'Warning', reason: 'WriteRefused', message });
    }
  }
}
