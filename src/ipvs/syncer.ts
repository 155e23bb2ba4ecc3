// The IPVS syncer: a desired-state setter over the kernel. `sync(desired)` takes Services + EndpointSlices
// and makes the kernel match (diffing internally; callers never track what was done). Calls are
// serialised and coalesced (a sync asked for while one runs uses the newest desired state once the running
// one ends). The kernel is read on the first sync (so a restart picks up what is there and changes only
// what differs: a restart drops no traffic), while something drains (connection counts), every resyncMs,
// and after a failed apply; in between the syncer plans against its own model of what it applied.
import { existsSync } from 'node:fs';
import { createLogger, type Logger } from '../log/index.ts';
import type { Registry } from '../metrics/index.ts';
import { backoffDelay, type Clock, type Timer } from '../time/index.ts';
import type { CommandRunner } from './command-runner.ts';
import { spawnRunner } from './command-runner.ts';
import { defaultIpvsConfig, type IpvsConfig } from './config.ts';
import { applyToKernel, readIpvsCounts, readKernel } from './kernel.ts';
import { ipvsMetrics, type IpvsMetrics } from './metrics.ts';
import { openIpvsNetlink, type IpvsNetlinkPath, type IpvsNetlinkUnavailable } from './netlink.ts';
import {
  applyPlan,
  DesiredBuilder,
  describePlan,
  emptyKernelState,
  restrictState,
  planChanges,
  planSize,
  type DesiredInput,
  type DesiredProblem,
  type KernelState,
  type Plan,
} from './plan/index.ts';
import { applySysctls, ensureFirewall, interfaceSetupBatch, SetupError, strictArpProblem } from './setup.ts';

export interface IpvsSyncerDeps {
  clock: Clock;
  runner?: CommandRunner;
  logger?: Logger;
  registry?: Registry;
  /** Where sysctls are written (tests point it elsewhere). */
  procSys?: string;
  /** Called after every sync (also those the syncer runs by itself: drain polls, resyncs, retries). */
  onSynced?: (result: SyncResult) => void;
  /**
   * IPVS changes and drain polls over generic netlink when the kernel has the IPVS family, else `ipvsadm`.
   * Default: on when the syncer runs the tools itself (no `runner` given), so a test's fake runner never
   * meets the real kernel's IPVS.
   */
  netlink?: boolean;
  /** Opens the netlink path (default openIpvsNetlink; unit tests give a fake). */
  openNetlink?: () => IpvsNetlinkPath | IpvsNetlinkUnavailable;
}

export interface SyncResult {
  /** Set when nothing was done: the syncer is disabled or was stopped. */
  skipped?: 'disabled' | 'stopped';
  /** The plan (also in a dry run, where it was not applied). */
  plan?: Plan;
  /** The plan as readable lines, in apply order. */
  changes: string[];
  problems: DesiredProblem[];
  /** Lines of kernel output that could not be parsed (left alone). */
  kernelProblems: string[];
  /** Set when applying failed; the syncer retries with backoff. */
  error?: string;
  /** Whether the kernel was read for this sync ('counts': only `ipvsadm -Ln` for a drain poll). */
  readKernel: boolean | 'counts';
  /** Where the time went (ms on the injected clock). */
  timings?: SyncTimings;
}

export interface SyncTimings {
  /** Building the desired state (memoised per Service). */
  buildMs: number;
  /** Waiting for the kernel read once the desired state was built (the read runs meanwhile; 0: no read). */
  readMs: number;
  /** Diffing and describing the plan. */
  planMs: number;
  /** Running the tools (`ipset restore`, `ip -batch`) and the IPVS changes (netlink or `ipvsadm -R`), updating the model. */
  applyMs: number;
  /** Services whose part of the desired state was built again / reused. */
  rebuilt: number;
  reused: number;
  /** Whether the desired state was patched (quick build) rather than assembled anew. */
  quick: boolean;
  /** Whether only the changed part was diffed. */
  scoped: boolean;
}

/**
 * Connection counts are true only when read: a real server idle a minute ago may be busy now. After each
 * sync they are dropped from the model, so a later removal drains (weight 0) until counts are read again.
 */
function forgetCounts(view: KernelState): void {
  for (const s of view.services.values()) {
    for (const [k, r] of s.reals) {
      if (r.activeConns !== undefined || r.inactiveConns !== undefined)
        s.reals.set(k, { address: r.address, port: r.port, weight: r.weight });
    }
  }
}

export class IpvsSyncer {
  readonly config: IpvsConfig;
  readonly metrics: IpvsMetrics;
  readonly #clock: Clock;
  readonly #runner: CommandRunner;
  readonly #log: Logger;
  readonly #procSys: string;
  readonly #onSynced: ((r: SyncResult) => void) | undefined;
  #desired: DesiredInput = { services: [], endpointSlices: [] };
  #hasDesired = false;
  #view: KernelState | undefined;
  #draining = new Map<string, number>();
  #builder = new DesiredBuilder();
  /** `ip -batch` lines still needed to set up the dummy interface (from the last full read). */
  #ipSetup: string | undefined;
  #sysctlsDone = false;
  /** The last sync applied its whole plan, so the model matches the last desired state (scoped diffs may follow). */
  #lastApplied = false;
  #firewallDone = false;
  #failures = 0;
  #lastRead = -Infinity;
  #tail: Promise<unknown> = Promise.resolve();
  #queued: Promise<SyncResult> | undefined;
  #timer: Timer | undefined;
  #stopped = false;
  /** undefined: not tried yet; null: not used (off, or unavailable: ipvsadm it is). */
  #netlink: IpvsNetlinkPath | null | undefined;
  readonly #openNetlink: () => IpvsNetlinkPath | IpvsNetlinkUnavailable;

  constructor(deps: IpvsSyncerDeps, config: Partial<IpvsConfig> = {}) {
    this.config = { ...defaultIpvsConfig(), ...config };
    this.#clock = deps.clock;
    this.#runner = deps.runner ?? spawnRunner;
    this.#log = (deps.logger ?? createLogger({ level: 'silent' })).child({
      component: 'ipvs',
      interface: this.config.interface,
    });
    this.metrics = ipvsMetrics(deps.registry);
    this.#procSys = deps.procSys ?? '/proc/sys';
    this.#onSynced = deps.onSynced;
    if (!(deps.netlink ?? deps.runner === undefined)) this.#netlink = null;
    this.#openNetlink = deps.openNetlink ?? openIpvsNetlink;
  }

  /** How IPVS changes reach the kernel: 'netlink', 'ipvsadm', or undefined before the first apply decided it. */
  get ipvsPath(): 'netlink' | 'ipvsadm' | undefined {
    return this.#netlink === undefined ? undefined : this.#netlink ? 'netlink' : 'ipvsadm';
  }

  /**
   * The netlink path, opened at the first apply (after the first kernel read: `ipvsadm` has loaded ip_vs by
   * then, so the family exists when the kernel has IPVS at all). Unavailable: ipvsadm, said once.
   */
  #ipvsNetlink(): IpvsNetlinkPath | undefined {
    if (this.#netlink === undefined) {
      const nl = this.#openNetlink();
      if ('reason' in nl) {
        this.#netlink = null;
        this.#log.info({ reason: nl.reason }, 'ipvs changes go through ipvsadm (IPVS over netlink unavailable)');
      } else {
        this.#netlink = nl;
        this.#log.info('ipvs changes go over generic netlink');
      }
    }
    return this.#netlink ?? undefined;
  }

  /** Sets the desired state and resolves once a sync that includes it has run. */
  sync(desired: DesiredInput): Promise<SyncResult> {
    this.#desired = desired;
    this.#hasDesired = true;
    return this.#schedule();
  }

  /** Real servers currently draining (drainKey → monotonic ms when draining started). */
  get draining(): ReadonlyMap<string, number> {
    return this.#draining;
  }

  /** Stops timers; a sync already running finishes. Nothing in the kernel is removed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#tail;
    this.#netlink?.close(); // a stopped syncer runs no more syncs
  }

  #schedule(): Promise<SyncResult> {
    if (!this.#queued) {
      const run = this.#tail.then(async () => {
        this.#queued = undefined;
        const r = await this.#runOnce();
        this.#onSynced?.(r);
        return r;
      });
      this.#queued = run;
      this.#tail = run.catch(() => undefined);
    }
    return this.#queued;
  }

  async #runOnce(): Promise<SyncResult> {
    const empty = { changes: [], problems: [], kernelProblems: [], readKernel: false };
    if (this.#stopped) return { ...empty, skipped: 'stopped' };
    if (!this.config.enabled) {
      this.metrics.syncs.inc({ result: 'disabled' });
      return { ...empty, skipped: 'disabled' };
    }
    const clock = this.#clock;
    const started = clock.now();
    const cfg = this.config;
    // What to read, decided first so the tools run while the desired state is built (two vCPUs, or the
    // kernel's time, overlap with Node's): everything on start (a restart picks up what is there), after a
    // failure and every resyncMs; only connection counts while something drains; else nothing.
    const mode: 'none' | 'empty' | 'all' | 'counts' =
      !this.#view && cfg.assumeEmpty
        ? 'empty'
        : !this.#view || (!cfg.dryRun && started - this.#lastRead >= cfg.resyncMs)
          ? 'all'
          : this.#draining.size > 0 && !cfg.dryRun
            ? 'counts'
            : 'none';
    const reading =
      mode === 'all'
        ? readKernel(this.#runner, cfg.interface, true)
        : mode === 'counts'
          ? readIpvsCounts(this.#runner, this.#netlink ?? undefined)
          : undefined;
    reading?.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    const desired = this.#builder.build(this.#desired, {
      nodeName: cfg.nodeName,
      nodeIPs: cfg.nodeIPs,
      defaultScheduler: cfg.defaultScheduler,
    });
    const timings: SyncTimings = {
      buildMs: clock.now() - started,
      readMs: 0,
      planMs: 0,
      applyMs: 0,
      ...this.#builder.stats,
      scoped: false,
    };
    for (const p of desired.problems)
      this.#log.warn({ service: p.service, problem: p.message }, 'ipvs desired-state problem');
    this.metrics.problems.set(desired.problems.length);
    this.metrics.virtualServers.set(desired.state.services.size);
    let kernelProblems: string[] = [];
    let didRead: boolean | 'counts' = false;
    let changes: string[] = [];
    try {
      if (!this.#sysctlsDone && !cfg.dryRun) {
        const denied = cfg.sysctls ? await applySysctls(this.#procSys) : [];
        if (denied.length > 0)
          this.#log.error(
            { sysctls: denied },
            'ipvs sysctls not writable (read-only /proc/sys?): set them on the node (strict ARP: ' +
              'net.ipv4.conf.all.arp_ignore=1, arp_announce=2) or run with --ipvs-no-sysctls; going on without them',
          );
        this.#sysctlsDone = true;
      }
      const now = clock.now();
      if (mode === 'empty') {
        if (!cfg.dryRun) throw new Error('assumeEmpty is for dry runs only');
        this.#view = emptyKernelState();
        this.#lastRead = started;
      } else if (mode === 'all') {
        const read = (await reading) as Awaited<ReturnType<typeof readKernel>>;
        kernelProblems = read.problems;
        // Refuses someone else's interface before the view is taken (the next sync reads again).
        this.#ipSetup = interfaceSetupBatch(cfg.interface, read.iface, existsSync(`${this.#procSys}/net/ipv6`));
        this.#view = read.state;
        this.#lastRead = started;
        didRead = true;
      } else if (mode === 'counts') {
        const read = (await reading) as Awaited<ReturnType<typeof readIpvsCounts>>;
        kernelProblems = read.problems;
        this.#view!.services = read.services;
        didRead = 'counts';
      }
      for (const p of kernelProblems)
        this.#log.warn({ problem: p }, 'ipvs kernel state line not understood; left alone');
      const view = this.#view!;
      const planStarted = clock.now();
      timings.readMs = planStarted - now;
      // A quick build names what may differ; while the model is known to match the kernel everywhere else
      // (not read just now, nothing draining), the diff looks at that alone.
      const scoped = desired.dirty !== undefined && didRead === false && this.#draining.size === 0 && this.#lastApplied;
      this.#lastApplied = false; // until this plan is applied: a failure below leaves the model behind
      const plan = planChanges({
        desired: scoped ? restrictState(desired.state, desired.dirty!) : desired.state,
        observed: scoped ? restrictState(view, desired.dirty!) : view,
        draining: this.#draining,
        now: planStarted,
        drainTimeoutMs: cfg.drainTimeoutMs,
      });
      timings.scoped = scoped;
      changes = describePlan(plan);
      const applyStarted = clock.now();
      timings.planMs = applyStarted - planStarted;
      if (cfg.dryRun) {
        // A dry run changes only the model, so the next sync prints only what changed since this one.
        applyPlan(view, plan);
        this.#draining = plan.draining;
        this.#lastApplied = true;
      } else {
        const setup = this.#ipSetup ?? '';
        // Never an IPv4 LB IP on the dummy interface without strict ARP: the node would answer ARP for it.
        if (plan.addAddresses.some((a) => a.family === 'ipv4')) {
          const problem = await strictArpProblem(this.#procSys);
          if (problem) throw new SetupError('arp-not-strict', `not adding LoadBalancer IPs: ${problem}`);
        }
        if (planSize(plan) > 0 || setup) {
          try {
            await applyToKernel(
              this.#runner,
              cfg.interface,
              plan,
              setup,
              plan.ipvs.length > 0 ? this.#ipvsNetlink() : undefined,
            );
          } catch (err) {
            this.#view = undefined; // unknown how far it got: read the kernel next time
            throw err;
          }
          this.#ipSetup = '';
          applyPlan(view, plan);
        }
        if (didRead) forgetCounts(view);
        this.#draining = plan.draining;
        this.#lastApplied = true;
        if (cfg.firewall && !this.#firewallDone) {
          await ensureFirewall(this.#runner, cfg.masquerade);
          this.#firewallDone = true;
        }
      }
      timings.applyMs = clock.now() - applyStarted;
      this.#failures = 0;
      this.#count(plan);
      this.metrics.draining.set(plan.draining.size);
      this.metrics.syncs.inc({ result: 'ok' });
      this.metrics.duration.observe((this.#clock.now() - started) / 1000);
      if (changes.length > 0) {
        this.#log.info(
          {
            changes: changes.length,
            draining: plan.draining.size,
            readKernel: didRead,
            ms: this.#clock.now() - started,
            timings,
          },
          'ipvs synced',
        );
        for (const c of changes) this.#log.debug({ change: c }, 'ipvs change');
      }
      this.#arm(plan);
      return { plan, changes, problems: desired.problems, kernelProblems, readKernel: didRead, timings };
    } catch (err) {
      this.#failures++;
      const message = (err as Error).message;
      this.metrics.syncs.inc({ result: 'error' });
      this.#log.error({ err: message, failures: this.#failures }, 'ipvs sync failed; will retry');
      this.#arm(undefined);
      return { ...empty, changes, problems: desired.problems, kernelProblems, error: message, readKernel: didRead };
    }
  }

  #count(plan: Plan): void {
    if (this.config.dryRun) return;
    const m = this.metrics.changes;
    m.inc({ kind: 'set' }, plan.createSets.length);
    m.inc({ kind: 'address' }, plan.addAddresses.length + plan.delAddresses.length);
    m.inc({ kind: 'set_member' }, plan.ipsetAdd.length + plan.ipsetDel.length);
    let vs = 0;
    for (const c of plan.ipvs) if (c.op.endsWith('-service')) vs++;
    m.inc({ kind: 'virtual_server' }, vs);
    m.inc({ kind: 'real_server' }, plan.ipvs.length - vs);
  }

  /** The next wake-up: retry after a failure, poll while draining, else the periodic resync. */
  #arm(plan: Plan | undefined): void {
    this.#timer?.cancel();
    if (this.#stopped || this.config.dryRun || !this.#hasDesired) return;
    const cfg = this.config;
    let delay: number;
    if (!plan) delay = backoffDelay({ baseMs: cfg.retryBaseMs, maxMs: cfg.retryMaxMs }, this.#failures);
    else if (plan.draining.size > 0) {
      delay = Math.min(cfg.drainPollMs, Math.max(0, (plan.nextDrainDeadline ?? Infinity) - this.#clock.now()));
    } else delay = cfg.resyncMs;
    this.#timer = this.#clock.setTimer(delay, () => void this.#schedule(), { unref: true });
  }
}
