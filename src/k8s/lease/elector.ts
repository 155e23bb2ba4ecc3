// The leader election loop over a Lease (rules.ts decides; this fetches, writes and keeps time on the
// injected Clock). A candidate tries every retryPeriod × (1 + 1.2 × random); the leader renews every
// retryPeriod and gives up the moment renewDeadline has passed since it *sent* its last successful
// renew — not since the answer came back, so a leader frozen after the API server stored its renew but
// before it read the answer still stops before any other replica can take over (the others wait
// leaseDuration > renewDeadline from when they saw that renew). `canWrite()` says whether a write may
// be sent now; the controller also fences each write on the object itself (see service-writer.ts).
import type { Clock, Timer } from '../../time/index.ts';
import {
  JITTER_FACTOR,
  decide,
  observe,
  releasedRecord,
  type ElectionConfig,
  type LeaseRecord,
  type Observed,
} from './rules.ts';

export interface LeaseApi {
  /** The Lease's record and resourceVersion; undefined when it does not exist. */
  get(): Promise<{ record: LeaseRecord; resourceVersion: string } | undefined>;
  /** Creates it; resolves with the new resourceVersion (rejects on 409 if someone was faster). */
  create(record: LeaseRecord): Promise<string>;
  /** Replaces the record if the Lease is still at `resourceVersion` (else rejects with 409). */
  update(record: LeaseRecord, resourceVersion: string): Promise<string>;
}

export interface Leadership {
  /** leaseTransitions of our record: grows with every change of holder, so it orders leaders. */
  term: number;
  identity: string;
  /** We took the Lease from a holder that did not release it (it may still have writes in flight). */
  takeover: boolean;
  previousHolder: string;
}

export interface ElectorLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface ElectorOptions {
  api: LeaseApi;
  config: ElectionConfig;
  clock: Clock;
  random: () => number;
  log: ElectorLog;
  onStartedLeading(l: Leadership): void;
  /** Leadership lost (renew deadline passed, or the Lease taken): stop writing at once. */
  onStoppedLeading(reason: string): void;
  /** Someone else holds it (logged once per holder). */
  onNewLeader?(identity: string): void;
}

export class LeaderElector {
  readonly #o: ElectorOptions;
  #observed: Observed | undefined;
  #resourceVersion = '';
  #leading: Leadership | undefined;
  /** Monotonic time the last successful renew (or the acquisition) was sent. */
  #renewSentAt = -Infinity;
  #timer: Timer | undefined;
  #deadline: Timer | undefined;
  #busy = false;
  #stopped = false;
  #lastLeader = '';

  constructor(o: ElectorOptions) {
    this.#o = o;
  }

  start(): void {
    this.#schedule(0);
  }

  get leadership(): Leadership | undefined {
    return this.#leading;
  }

  /** Leading, and the renew deadline since the last successful renew was sent has not passed. */
  canWrite(): boolean {
    return this.#leading !== undefined && this.#o.clock.now() < this.#renewSentAt + this.#o.config.renewDeadlineMs;
  }

  #schedule(ms: number): void {
    this.#timer?.cancel();
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimer(ms, () => void this.#tick());
  }

  #nextDelay(): number {
    const p = this.#o.config.retryPeriodMs;
    return this.#leading ? p : p * (1 + JITTER_FACTOR * this.#o.random());
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      await this.#tryAcquireOrRenew();
    } catch (err) {
      this.#o.log.warn(
        { lease: 'error', error: (err as Error).message, leading: this.#leading !== undefined },
        'leader election: could not read or write the Lease',
      );
    } finally {
      this.#busy = false;
    }
    if (this.#leading && !this.canWrite()) this.#lose('the renew deadline passed without a successful renew');
    this.#schedule(this.#nextDelay());
  }

  async #tryAcquireOrRenew(): Promise<void> {
    const { api, clock, config } = this.#o;
    const sentAt = clock.now();
    // Fast path (client-go): the leader renews on the record it wrote last, without reading first.
    if (this.#leading && this.#observed && this.canWrite()) {
      const decision = decide(config, this.#observed.record, this.#observed, sentAt, clock.wallNow());
      if (decision.kind === 'write') {
        try {
          this.#resourceVersion = await api.update(decision.record, this.#resourceVersion);
          this.#renewed(decision.record, sentAt);
          return;
        } catch (err) {
          this.#o.log.warn(
            { error: (err as Error).message },
            'leader election: optimistic renew failed: reading the Lease',
          );
        }
      }
    }
    const got = await api.get();
    const now = clock.now();
    if (got !== undefined) {
      this.#observed = observe(this.#observed, got.record, now);
      this.#resourceVersion = got.resourceVersion;
      if (this.#leading && got.record.holderIdentity !== config.identity) {
        this.#lose(`the Lease is now held by "${got.record.holderIdentity}"`);
        return;
      }
    }
    const decision = decide(config, got?.record, this.#observed, now, clock.wallNow());
    if (decision.kind === 'wait') {
      if (decision.holder !== this.#lastLeader) {
        this.#lastLeader = decision.holder;
        this.#o.log.info({ holder: decision.holder }, 'leader election: another replica leads; standing by');
        this.#o.onNewLeader?.(decision.holder);
      }
      return;
    }
    const writeSentAt = clock.now();
    this.#resourceVersion =
      got === undefined ? await api.create(decision.record) : await api.update(decision.record, got.resourceVersion);
    const wasLeading = this.#leading !== undefined;
    this.#renewed(decision.record, this.#leading ? sentAt : writeSentAt);
    if (!wasLeading && !this.#stopped) {
      this.#leading = {
        term: decision.record.leaseTransitions,
        identity: config.identity,
        // Our own record, held by an earlier run of this process that lost it: its writes may be in flight too.
        takeover: decision.takeover || decision.previousHolder === config.identity,
        previousHolder: decision.previousHolder,
      };
      this.#renewSentAt = writeSentAt;
      this.#armDeadline();
      this.#o.log.info({ ...this.#leading }, 'leader election: acquired the Lease');
      this.#o.onStartedLeading(this.#leading);
    }
  }

  #renewed(record: LeaseRecord, sentAt: number): void {
    this.#observed = { record, at: this.#o.clock.now() };
    if (this.#leading) {
      this.#renewSentAt = Math.max(this.#renewSentAt, sentAt);
      this.#armDeadline();
    }
  }

  /** Fires when the renew deadline passes with no newer successful renew (a renew may hang). */
  #armDeadline(): void {
    this.#deadline?.cancel();
    const at = this.#renewSentAt + this.#o.config.renewDeadlineMs;
    this.#deadline = this.#o.clock.setTimer(Math.max(0, at - this.#o.clock.now()), () => {
      if (this.#leading && !this.canWrite()) this.#lose('the renew deadline passed without a successful renew');
    });
  }

  #lose(reason: string): void {
    if (!this.#leading) return;
    this.#o.log.warn({ reason, term: this.#leading.term }, 'leader election: leadership lost');
    this.#leading = undefined;
    this.#deadline?.cancel();
    this.#o.onStoppedLeading(reason);
  }

  /** Stops the loop; when leading, releases the Lease (the caller has stopped every write first). */
  async stop(opts: { release: boolean }): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#deadline?.cancel();
    const leading = this.#leading;
    this.#leading = undefined;
    if (!opts.release || !leading || !this.#observed) return;
    try {
      await this.#o.api.update(releasedRecord(this.#observed.record, this.#o.clock.wallNow()), this.#resourceVersion);
      this.#o.log.info({ term: leading.term }, 'leader election: released the Lease');
    } catch (err) {
      this.#o.log.warn(
        { error: (err as Error).message },
        'leader election: could not release the Lease (it expires by itself)',
      );
    }
  }
}
