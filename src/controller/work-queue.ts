// A work queue keyed by object key (client-go's workqueue semantics, smaller): a key waiting in the
// queue is not added twice; a key being processed that changes again is processed once more afterwards
// (never concurrently with itself); a failed key is retried with exponential backoff. Retry timers run
// on the injected Clock (unref'd: a pending retry never keeps the process alive), so tests drive them
// with the FakeClock.
import { backoffDelay, type BackoffPolicy, type Clock, type Timer } from '../time/index.ts';

export interface WorkQueueOptions {
  /** Process one key; throwing schedules a retry with backoff. */
  handler: (key: string) => Promise<void>;
  /** How many keys may be in flight at once (different keys only). */
  concurrency: number;
  backoff: BackoffPolicy;
  clock: Clock;
  /** Told about every failure (for logs/metrics); the key will be retried after `retryInMs`. */
  onError?: (key: string, err: unknown, failures: number, retryInMs: number) => void;
}

export class WorkQueue {
  readonly #opts: WorkQueueOptions;
  readonly #queue = new Set<string>(); // insertion-ordered, deduplicated
  readonly #processing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #retryTimers = new Map<string, Timer>();
  #running = false;
  #idleWaiters: (() => void)[] = [];

  constructor(opts: WorkQueueOptions) {
    if (!(opts.concurrency >= 1)) throw new Error(`work queue: concurrency must be >= 1, got ${opts.concurrency}`);
    this.#opts = opts;
  }

  add(key: string): void {
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    this.#queue.add(key);
    this.#pump();
  }

  /** Starts processing (keys added before are kept and processed now). */
  start(): void {
    this.#running = true;
    this.#pump();
  }

  /** Stops taking new keys and cancels retry timers; in-flight handlers finish on their own. */
  stop(): void {
    this.#running = false;
    for (const t of this.#retryTimers.values()) t.cancel();
    this.#retryTimers.clear();
    this.#wakeIdle();
  }

  get length(): number {
    return this.#queue.size;
  }

  get inFlight(): number {
    return this.#processing.size;
  }

  /** Keys waiting for a retry timer. */
  get retrying(): number {
    return this.#retryTimers.size;
  }

  /**
   * Resolves when nothing is in flight and nothing more will be processed: the queue is empty, or the
   * queue is stopped (keys still queued then wait for the next start()). Retry timers may be pending.
   */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#processing.size === 0 && (this.#queue.size === 0 || !this.#running);
  }

  #wakeIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #pump(): void {
    if (this.#running)
      while (this.#processing.size < this.#opts.concurrency && this.#queue.size > 0) {
        const key = this.#queue.values().next().value as string;
        this.#queue.delete(key);
        this.#processing.add(key);
        void this.#process(key);
      }
    this.#wakeIdle();
  }

  async #process(key: string): Promise<void> {
    try {
      await this.#opts.handler(key);
      this.#failures.delete(key);
    } catch (err) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      const delay = backoffDelay(this.#opts.backoff, failures);
      this.#opts.onError?.(key, err, failures, delay);
      if (this.#running && !this.#retryTimers.has(key)) {
        const handle = this.#opts.clock.setTimer(
          delay,
          () => {
            this.#retryTimers.delete(key);
            this.add(key);
          },
          { unref: true },
        );
        this.#retryTimers.set(key, handle);
      }
    } finally {
      this.#processing.delete(key);
      if (this.#dirty.delete(key)) this.#queue.add(key);
      this.#pump();
    }
  }
}
