// Keeps an idle speaker's memory at its floor. V8 starts a full collection only when the old generation
// has grown by its limit step (2 MiB with --optimize-for-size, plus the young generation's size), and an
// idle process reaches that only after many minutes: until then the garbage of the steady gossip, and
// the start's, holds pages. Every CHECK_MS this looks at the heap V8 has committed; when it has grown by
// GROWTH_BYTES since the last look that collected (or on the first look, after the start's burst), it
// asks V8 for a memory-reducing full collection: marking, compaction, and the freed pages and the
// young generation's unused half given back (V8's "last resort" flavour of gc(), 13–35 ms on the
// speaker's ~9 MiB heap, here). That collection is one pause, not V8's incremental marking: above
// MAX_HEAP_BYTES (a big cluster's caches) the pause would grow with the heap while the limit step stays a
// small share of it, so there this leaves the heap to V8. Needs node's --expose-gc (the DaemonSet's
// command has it); without it, `collect` is undefined and this does nothing.
import type { Clock, Timer } from '../time/index.ts';

export interface HeapUpkeepDeps {
  clock: Clock;
  /** Bytes V8 has committed for its heap (process.memoryUsage().heapTotal). */
  heapCommitted(): number;
  /** A full, memory-reducing collection, or undefined when the runtime offers none. */
  collect: (() => void) | undefined;
  /** After each collection: the committed heap before and after, and how long it took. */
  onCollect?(before: number, after: number, ms: number): void;
}

export class HeapUpkeep {
  static readonly CHECK_MS = 15_000;
  static readonly GROWTH_BYTES = 256 * 1024;
  static readonly MAX_HEAP_BYTES = 32 * 1024 * 1024;
  readonly #deps: HeapUpkeepDeps;
  #timer: Timer | undefined;
  #base: number | undefined;

  constructor(deps: HeapUpkeepDeps) {
    this.#deps = deps;
  }

  /** False when the runtime offers no collection (node without --expose-gc). */
  get enabled(): boolean {
    return this.#deps.collect !== undefined;
  }

  start(): void {
    if (!this.enabled || this.#timer) return;
    this.#arm();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /**
   * One look: collects when the committed heap grew by GROWTH_BYTES (or on the first look, or the first
   * after it was above MAX_HEAP_BYTES), unless it is above MAX_HEAP_BYTES.
   */
  check(): void {
    const collect = this.#deps.collect;
    if (!collect) return;
    const before = this.#deps.heapCommitted();
    if (before > HeapUpkeep.MAX_HEAP_BYTES) {
      this.#base = undefined;
      return;
    }
    if (this.#base !== undefined && before < this.#base + HeapUpkeep.GROWTH_BYTES) {
      // Committed memory also shrinks on its own (V8's memory reducer): follow it down.
      this.#base = Math.min(this.#base, before);
      return;
    }
    const t0 = this.#deps.clock.now();
    collect();
    const ms = this.#deps.clock.now() - t0;
    this.#base = this.#deps.heapCommitted();
    this.#deps.onCollect?.(before, this.#base, ms);
  }

  #arm(): void {
    this.#timer = this.#deps.clock.setTimer(
      HeapUpkeep.CHECK_MS,
      () => {
        this.check();
        if (this.#timer) this.#arm();
      },
      { unref: true },
    );
  }
}
