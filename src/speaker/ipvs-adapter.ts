// The IpvsPort over the IPVS syncer (src/ipvs): the speaker hands it the API objects on every decision
// round; the adapter
//  - skips rounds where none of them changed (a membership change alone changes nothing here),
//  - coalesces: a change waits `debounceMs` (a window from the first change, so churn cannot postpone it)
//    and only the latest objects are handed over; never two syncs at once — a change during a sync is
//    handed over when it ends;
//  - converts the objects to the syncer's inputs and logs each problem (object, why) once;
//  - first asks whether this node can program IPVS at all (probe): when not, one error naming what is
//    missing and the flag that turns IPVS off, ferrolb_speaker_ipvs_available 0, and a new probe every
//    `probeIntervalMs`; Layer 2, BGP and readiness are unaffected;
//  - leaves retries of failed syncs to the syncer (it logs, counts ferrolb_ipvs_syncs_total{result="error"}
//    and retries with backoff itself); a sync that throws is retried here with backoff.
// stop() stops timers and the syncer and removes nothing: the kernel keeps forwarding while the speaker
// restarts.
import { Gauge, type Registry } from '../metrics/index.ts';
import { KubeInputCache, type DesiredInput } from '../ipvs/index.ts';
import { backoffDelay, type BackoffPolicy, type Clock, type Timer } from '../time/index.ts';
import { ipvsInput, objectsFingerprint, type IpvsObjects } from './ipvs-input.ts';
import type { IpvsProbeResult } from './ipvs-probe.ts';
import type { SpeakerLog } from './node-speaker.ts';
import type { IpvsPort } from './ports.ts';

/** The part of IpvsSyncer the adapter drives. */
export interface IpvsSyncerLike {
  sync(desired: DesiredInput): Promise<{ error?: string; skipped?: string; changes: readonly string[] }>;
  stop(): Promise<void>;
}

export interface IpvsAdapterOptions {
  debounceMs: number;
  probeIntervalMs: number;
  retry: BackoffPolicy;
  /** How the operator turns IPVS off (named in the unavailable message). */
  disableHint: string;
}

export function defaultIpvsAdapterOptions(): IpvsAdapterOptions {
  return {
    // A rollout changes many EndpointSlices within a fraction of a second: one sync for the burst.
    debounceMs: 100,
    // A node without IPVS rarely gains it (a module loaded by hand, an image update restarts us anyway):
    // look again every 5 minutes, quietly.
    probeIntervalMs: 300_000,
    // Only for a sync that throws (a bug, not a kernel refusal, which the syncer retries itself).
    retry: { baseMs: 1_000, maxMs: 60_000 },
    disableHint: 'pass --disable-ipvs (e.g. where kube-proxy runs in IPVS mode)',
  };
}

export interface IpvsAdapterMetrics {
  available: Gauge;
  objectProblems: Gauge;
}

export function ipvsAdapterMetrics(registry: Registry): IpvsAdapterMetrics {
  return {
    available: new Gauge({
      name: 'ferrolb_speaker_ipvs_available',
      help: '1 when this node can program IPVS, 0 when the kernel or a tool is missing (the log says which)',
      registers: [registry],
    }),
    objectProblems: new Gauge({
      name: 'ferrolb_speaker_ipvs_object_problems',
      help: 'Services / EndpointSlices (or parts of them) the IPVS syncer could not use in the last round',
      registers: [registry],
    }),
  };
}

export interface IpvsAdapterDeps {
  syncer: IpvsSyncerLike;
  probe: () => Promise<IpvsProbeResult>;
  clock: Clock;
  log: SpeakerLog;
  metrics: IpvsAdapterMetrics;
  options?: Partial<IpvsAdapterOptions>;
}

type State = 'unknown' | 'available' | 'unavailable';

export class IpvsAdapter implements IpvsPort {
  readonly #d: IpvsAdapterDeps;
  readonly #o: IpvsAdapterOptions;
  #pending: { objects: IpvsObjects; fp: string } | undefined;
  /** Fingerprint of the objects last handed to the syncer ('' = none yet, or that hand-over failed). */
  #handed = '';
  #state: State = 'unknown';
  #missingReported: string | undefined;
  #nextProbeAt = -Infinity;
  #failures = 0;
  #problems = new Set<string>();
  /** API object → syncer input, kept while the informer keeps the object (the syncer reuses its part). */
  readonly #inputs = new KubeInputCache();
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: IpvsAdapterDeps) {
    this.#d = deps;
    this.#o = { ...defaultIpvsAdapterOptions(), ...deps.options };
  }

  /** 'available' once a probe said yes (then never asked again), 'unavailable' while it says no. */
  get state(): State {
    return this.#state;
  }

  sync(objects: IpvsObjects): void {
    if (this.#stopped) return;
    const fp = objectsFingerprint(objects);
    if (fp === this.#handed) {
      this.#pending = undefined; // the latest is what the syncer already has
      return;
    }
    this.#pending = { objects, fp };
    this.#wake(this.#o.debounceMs);
  }

  /** Resolves when nothing is running or due now (tests; the timers may still hold later work). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.idle();
    await this.#d.syncer.stop();
  }

  #wake(delayMs: number): void {
    if (this.#stopped) return;
    const at = this.#d.clock.now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#d.clock.setTimer(
      delayMs,
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#kick();
      },
      { unref: true },
    );
  }

  #kick(): void {
    if (this.#running || this.#stopped) return; // the running loop picks up what is pending
    this.#running = this.#loop().finally(() => (this.#running = undefined));
  }

  async #loop(): Promise<void> {
    while (!this.#stopped && this.#pending) {
      if (this.#state !== 'available' && !(await this.#probe())) return;
      const next = this.#pending;
      if (!next || this.#stopped) return;
      this.#pending = undefined;
      const { input, problems } = ipvsInput(next.objects, this.#inputs);
      this.#logProblems(problems);
      this.#handed = next.fp;
      this.#d.log.debug(
        { services: input.services.length, endpointSlices: input.endpointSlices.length },
        'IPVS: handing the syncer the Services of this installation',
      );
      try {
        const r = await this.#d.syncer.sync(input);
        this.#failures = 0;
        if (r.error) this.#d.log.debug({ error: r.error }, 'IPVS sync failed; the syncer retries with backoff');
      } catch (err) {
        this.#failures++;
        this.#handed = '';
        this.#pending ??= next;
        const ms = backoffDelay(this.#o.retry, this.#failures);
        this.#d.log.error({ error: String(err), failures: this.#failures, retryMs: ms }, 'IPVS sync threw');
        this.#wake(ms);
        return;
      }
    }
  }

  /** True when IPVS can be programmed; otherwise reports it (once per reason) and arms the next probe. */
  async #probe(): Promise<boolean> {
    const d = this.#d;
    const now = d.clock.now();
    if (now < this.#nextProbeAt) {
      this.#wake(this.#nextProbeAt - now);
      return false;
    }
    let r: IpvsProbeResult;
    try {
      r = await d.probe();
    } catch (err) {
      r = { available: false, missing: 'probe', detail: `the probe failed: ${String(err)}` };
    }
    if (r.available) {
      if (this.#state === 'unavailable') d.log.info({}, 'IPVS is available now: programming LoadBalancer Services');
      this.#state = 'available';
      this.#missingReported = undefined;
      d.metrics.available.set(1);
      return true;
    }
    this.#state = 'unavailable';
    d.metrics.available.set(0);
    this.#nextProbeAt = d.clock.now() + this.#o.probeIntervalMs;
    const fields = { missing: r.missing, detail: r.detail, retryS: this.#o.probeIntervalMs / 1000 };
    if (r.missing !== this.#missingReported) {
      this.#missingReported = r.missing;
      d.log.error(
        { ...fields, hint: this.#o.disableHint },
        `IPVS unavailable on this node (${r.missing} missing): LoadBalancer traffic is not forwarded here; ` +
          `Layer 2 and BGP go on. To turn IPVS off, ${this.#o.disableHint}`,
      );
    } else d.log.debug(fields, 'IPVS still unavailable');
    this.#wake(this.#o.probeIntervalMs);
    return false;
  }

  #logProblems(problems: readonly { object: string; message: string }[]): void {
    const now = new Set(problems.map((p) => `${p.object}: ${p.message}`));
    for (const p of problems) {
      if (!this.#problems.has(`${p.object}: ${p.message}`))
        this.#d.log.warn({ object: p.object, problem: p.message }, 'object not usable for IPVS (partly or at all)');
    }
    this.#problems = now;
    this.#d.metrics.objectProblems.set(problems.length);
  }
}
