// The speaker's loop on one node: on every relevant change (API objects, configuration, membership,
// Secrets), rebuild SpeakerInputs, computeDesired, and drive the components with the result — Layer 2
// announcer, BGP speaker, IPVS syncer (desired-state setters: they diff), status objects, Events and
// metrics. Kubernetes changes are debounced a little; membership changes run at once (a failover is
// waiting on them). Time comes from the injected Clock.
import type { ConfigInputs, ConfigLoad } from '../controller/config-source.ts';
import { configFingerprint, loadConfig } from '../controller/config-source.ts';
import type { Config } from '../config/index.ts';
import { formatProblem } from '../config/index.ts';
import { computeRoutes, type NodeInfo } from '../bgp/speaker/compute-routes.ts';
import type { NodeFacts } from '../election/index.ts';
import type { EventSink } from '../k8s/event-recorder.ts';
import { backoffDelay, type BackoffPolicy, type Clock, type Timer } from '../time/index.ts';
import {
  nodeAddresses,
  nodeFacts,
  poolLookup,
  serviceKey,
  serviceView,
  sliceServiceKey,
  type EndpointSliceLike,
  type NodeLike,
  type ServiceLikeForSpeaker,
} from './cluster-view.ts';
import { computeDesired, type Desired } from './desired.ts';
import { ipvsObjects } from './ipvs-input.ts';
import type { ServiceView } from './inputs.ts';
import type { SpeakerMetrics } from './metrics.ts';
import type { BgpPort, IpvsPort, Layer2Conflict, Layer2Port, MembershipChange, MembershipPort } from './ports.ts';
import { wantedStatuses, type WantedStatus } from './status-plan.ts';

export interface ClusterSource {
  /** Initial lists done (Services, EndpointSlices, Nodes, configuration). */
  synced(): boolean;
  services(): readonly ServiceLikeForSpeaker[];
  slices(): readonly EndpointSliceLike[];
  nodes(): readonly NodeLike[];
  configInputs(): ConfigInputs;
}

/**
 * Keeps this node's status objects equal to `wanted` (creates, updates, deletes); never throws.
 * Resolves false when some write failed (the speaker retries with backoff).
 */
export interface StatusSink {
  reconcile(wanted: readonly WantedStatus[]): Promise<boolean>;
}

/** Retries of failed status writes: soon at first (API server starting), every 30 s at worst. */
export const STATUS_RETRY: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

export interface SpeakerLog {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface NodeSpeakerOptions {
  myNode: string;
  lbClass?: string;
  ignoreExcludeLabel?: boolean;
  /**
   * How long after an API change the decisions are recomputed; changes inside that window join it (a
   * window from the first change, not a trailing debounce, so churn cannot postpone announcements).
   * Membership changes do not wait.
   */
  debounceMs: number;
}

export interface NodeSpeakerDeps {
  options: NodeSpeakerOptions;
  clock: Clock;
  log: SpeakerLog;
  source: ClusterSource;
  membership: MembershipPort;
  layer2?: Layer2Port;
  bgp?: BgpPort;
  ipvs?: IpvsPort;
  status?: StatusSink;
  events: EventSink;
  metrics: SpeakerMetrics;
}

export type ChangeCause = 'k8s' | 'config' | 'secrets' | 'membership';

type Protocol = 'layer2' | 'bgp';

export class NodeSpeaker {
  readonly #d: NodeSpeakerDeps;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #configDirty = true;
  #bgpConfigDirty = true;
  #config: Config | undefined;
  #configFingerprint = '';
  #stale = false;
  #nodeInfoKey = '';
  /** Earliest membership change not yet followed by a recompute (failover latency start). */
  #pendingChangeAt: number | undefined;
  #lastLayer2 = new Set<string>();
  /** `protocol|service` pairs this node announced at the last recompute (for nodeAssigned Events). */
  #announcing = new Set<string>();
  #lastDesired: Desired | undefined;
  #stopped = false;
  #statusRun: Promise<void> | undefined;
  #statusNext: WantedStatus[] | undefined;
  #statusFailures = 0;
  #statusRetry: Timer | undefined;
  #membershipStarted = false;

  constructor(deps: NodeSpeakerDeps) {
    this.#d = deps;
    deps.membership.onChange((c) => this.#onMembership(c));
    deps.layer2?.onConflict((c) => this.#onConflict(c));
  }

  /** The last decisions (for tests, logs and the lab). */
  get desired(): Desired | undefined {
    return this.#lastDesired;
  }

  get config(): Config | undefined {
    return this.#config;
  }

  readiness(): { ready: boolean; why: string } {
    if (!this.#d.source.synced())
      return { ready: false, why: 'initial list of Services, EndpointSlices, Nodes and configuration not done yet' };
    if (!this.#membershipStarted) return { ready: false, why: 'membership not started yet' };
    if (!this.#config) return { ready: false, why: 'no valid configuration loaded yet' };
    const l2 = this.#d.layer2?.problem?.();
    if (l2 !== undefined) return { ready: false, why: l2 };
    return { ready: true, why: this.#stale ? 'ok (configuration stale: the last good one is in force)' : 'ok' };
  }

  membershipStarted(): void {
    this.#membershipStarted = true;
    this.changed('membership');
  }

  /** Something the decisions read changed. */
  changed(cause: ChangeCause): void {
    if (this.#stopped) return;
    if (cause === 'config') this.#configDirty = true;
    if (cause === 'secrets' || cause === 'config') this.#bgpConfigDirty = true;
    this.#schedule(cause === 'membership' ? 0 : this.#d.options.debounceMs);
  }

  #onMembership(c: MembershipChange): void {
    this.#d.log.info({ member: c.node, kind: c.kind }, 'membership changed');
    if (this.#pendingChangeAt === undefined || c.at < this.#pendingChangeAt) this.#pendingChangeAt = c.at;
    this.changed('membership');
  }

  #schedule(delayMs: number): void {
    const at = this.#d.clock.now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#d.clock.setTimer(delayMs, () => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.recompute();
    });
  }

  /** Runs one decision round now (normally called by the debounce timer). */
  recompute(): void {
    if (this.#stopped || !this.#d.source.synced()) return;
    const d = this.#d;
    if (this.#configDirty) {
      this.#configDirty = false;
      this.#reloadConfig(d.source.configInputs());
    }
    const config = this.#config;
    if (!config) {
      this.#syncIpvs(); // the IPs were assigned already: forward them whatever the configuration says
      return;
    }
    d.metrics.recomputes.inc();

    const nodes = new Map<string, NodeFacts>();
    let myNode: NodeLike | undefined;
    for (const n of d.source.nodes()) {
      const f = nodeFacts(n);
      if (!f) continue;
      nodes.set(f.name, f);
      if (f.name === d.options.myNode) myNode = n;
    }
    const slicesBy = new Map<string, EndpointSliceLike[]>();
    for (const s of d.source.slices()) {
      const k = sliceServiceKey(s);
      if (k !== undefined) slicesBy.set(k, [...(slicesBy.get(k) ?? []), s]);
    }
    const views: ServiceView[] = [];
    for (const svc of d.source.services()) {
      const r = serviceView(svc, slicesBy.get(serviceKey(svc)) ?? [], d.options.lbClass);
      if (r.kind === 'view') views.push(r.view);
    }
    const alive = d.membership.alive();
    d.metrics.members.set(alive.size);
    const desired = computeDesired({
      myNode: d.options.myNode,
      config,
      services: views,
      nodes,
      alive,
      poolOf: poolLookup(config),
      ...(d.options.ignoreExcludeLabel !== undefined ? { ignoreExcludeLabel: d.options.ignoreExcludeLabel } : {}),
    });
    this.#lastDesired = desired;

    // Layer 2 first: a failover waits on it.
    d.layer2?.set(desired.layer2);
    const gained = desired.layer2.filter((a) => !this.#lastLayer2.has(a.ip));
    this.#lastLayer2 = new Set(desired.layer2.map((a) => a.ip));
    if (gained.length > 0 && this.#pendingChangeAt !== undefined) {
      const seconds = Math.max(0, d.clock.now() - this.#pendingChangeAt) / 1000;
      d.metrics.failoverLatency.observe(seconds);
      d.log.info({ ips: gained.map((a) => a.ip), seconds }, 'took over Layer 2 IPs after a membership change');
    }
    this.#pendingChangeAt = undefined;

    const nodeInfo = this.#nodeInfo(myNode);
    if (d.bgp) {
      const key = JSON.stringify(nodeInfo);
      if (key !== this.#nodeInfoKey) {
        this.#nodeInfoKey = key;
        d.bgp.setNode(nodeInfo);
      }
      if (this.#bgpConfigDirty) {
        this.#bgpConfigDirty = false;
        d.bgp.setConfig({
          peers: config.peers,
          bgpAdvertisements: config.bgpAdvertisements,
          bfdProfiles: config.bfdProfiles,
        });
      }
      d.bgp.setAnnouncements(desired.bgp);
    }
    this.#syncIpvs(); // after Layer 2 and BGP: a failover does not wait on it

    const ipsOf = new Map(views.map((v) => [v.key, v.ips]));
    this.#signals(desired, ipsOf);
    const peersOf = (ips: readonly string[]): string[] => {
      const routes = computeRoutes(
        config,
        nodeInfo,
        ips.map((ip) => ({ ip, pool: desired.bgp.find((b) => b.ip === ip)?.pool ?? '' })),
      );
      return [...routes.routes]
        .filter(([, r]) => r.length > 0)
        .map(([peer]) => peer)
        .sort();
    };
    this.#writeStatuses(wantedStatuses(desired, d.options.myNode, peersOf, (k) => ipsOf.get(k) ?? []));
  }

  /** IPVS forwards every Service of this installation with an ingress IP, whoever announces it. */
  #syncIpvs(): void {
    const d = this.#d;
    d.ipvs?.sync(ipvsObjects(d.source.services(), d.source.slices(), d.options.lbClass));
  }

  #nodeInfo(node: NodeLike | undefined): NodeInfo {
    return {
      name: this.#d.options.myNode,
      labels: { ...(node?.metadata?.labels ?? {}) },
      ...(node ? nodeAddresses(node) : {}),
    };
  }

  #reloadConfig(inputs: ConfigInputs): void {
    const d = this.#d;
    const load: ConfigLoad = loadConfig(inputs);
    if (load.kind === 'ok') {
      const fp = configFingerprint(load.config);
      if (fp !== this.#configFingerprint) {
        this.#config = load.config;
        this.#configFingerprint = fp;
        d.log.info({ source: load.source, pools: load.config.pools.map((p) => p.name) }, 'configuration loaded');
      }
      this.#stale = false;
    } else if (load.kind === 'invalid') {
      this.#stale = this.#config !== undefined;
      d.log.error(
        {
          problems: load.problems.map(formatProblem),
          keeping: this.#config ? 'last good configuration' : 'nothing announced',
        },
        'configuration invalid',
      );
    } else {
      this.#stale = this.#config !== undefined;
      d.log.warn({ keeping: this.#config ? 'last good configuration' : 'nothing announced' }, 'no configuration found');
    }
    d.metrics.configStale.set(this.#stale ? 1 : 0);
  }

  #signals(desired: Desired, ipsOf: Map<string, readonly string[]>): void {
    const d = this.#d;
    const now = new Set<string>();
    d.metrics.announced.reset();
    for (const [key, decision] of desired.services) {
      const ips = ipsOf.get(key) ?? [];
      for (const protocol of ['layer2', 'bgp'] as Protocol[]) {
        if (!decision[protocol]?.announcing) continue;
        now.add(`${protocol}|${key}`);
        for (const ip of ips) d.metrics.announced.set({ ip, node: d.options.myNode, protocol, service: key }, 1);
        if (!this.#announcing.has(`${protocol}|${key}`)) {
          const slash = key.indexOf('/');
          d.log.info({ service: key, ips, protocol }, 'announcing');
          void d.events.record(
            { apiVersion: 'v1', kind: 'Service', namespace: key.slice(0, slash), name: key.slice(slash + 1) },
            {
              type: 'Normal',
              reason: 'nodeAssigned',
              message: `announcing from node "${d.options.myNode}" with protocol "${protocol}"`,
            },
          );
        }
      }
    }
    for (const k of this.#announcing) {
      if (!now.has(k))
        d.log.info(
          { service: k.slice(k.indexOf('|') + 1), protocol: k.slice(0, k.indexOf('|')) },
          'stopped announcing',
        );
    }
    this.#announcing = now;
  }

  #writeStatuses(wanted: WantedStatus[]): void {
    const sink = this.#d.status;
    if (!sink) return;
    this.#statusNext = wanted;
    if (this.#statusRun) return;
    this.#statusRetry?.cancel();
    this.#statusRetry = undefined;
    const run = async (): Promise<void> => {
      while (this.#statusNext !== undefined) {
        const next = this.#statusNext;
        this.#statusNext = undefined;
        if (await sink.reconcile(next)) {
          this.#statusFailures = 0;
          continue;
        }
        this.#statusFailures++;
        if (this.#statusNext === undefined && !this.#stopped) {
          const ms = backoffDelay(STATUS_RETRY, this.#statusFailures);
          this.#statusRetry = this.#d.clock.setTimer(ms, () => this.#writeStatuses(next), { unref: true });
        }
      }
    };
    this.#statusRun = run().finally(() => (this.#statusRun = undefined));
  }

  /** Waits until the status objects written so far are settled (tests, shutdown). */
  async statusSettled(): Promise<void> {
    while (this.#statusRun) await this.#statusRun;
  }

  #onConflict(c: Layer2Conflict): void {
    const d = this.#d;
    const owners = this.#lastDesired?.layer2.find((a) => a.ip === c.ip)?.services ?? [];
    d.log.warn(
      { ip: c.ip, interface: c.interface, mac: c.mac, services: owners },
      'another MAC answers for an IP this node owns',
    );
    for (const key of owners) {
      const slash = key.indexOf('/');
      void d.events.record(
        { apiVersion: 'v1', kind: 'Service', namespace: key.slice(0, slash), name: key.slice(slash + 1) },
        {
          type: 'Warning',
          reason: 'IPConflict',
          message: `node "${d.options.myNode}" owns ${c.ip} but ${c.mac} also answers for it on ${c.interface}`,
        },
      );
    }
  }

  /**
   * Graceful stop: leave membership first (the others take over at once), then stop answering, close
   * BGP (Cease, or silently for a graceful restart) and drop this node's status objects.
   */
  async stop(opts: { leaveTimeoutMs: number; bgpRestart?: boolean; keepStatuses?: boolean }): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timer?.cancel();
    this.#statusRetry?.cancel();
    const d = this.#d;
    await d.membership
      .leave(opts.leaveTimeoutMs)
      .catch((err: unknown) => d.log.warn({ error: String(err) }, 'leave failed'));
    d.layer2?.set([]);
    await d.layer2?.stop();
    await d.bgp?.stop(opts.bgpRestart ? { restart: true } : {});
    await d.ipvs?.stop();
    if (!opts.keepStatuses && d.status) {
      await this.statusSettled();
      await d.status.reconcile([]);
    }
    await d.membership.stop();
  }
}
