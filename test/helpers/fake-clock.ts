// The one fake clock for tests: nothing fires until advance(); due timers fire in time order (ties in
// the order they were set), including timers set by timers that fire. A binary heap keeps it fast
// enough for simulations of a thousand members.
import type { Clock, Timer } from '../../src/time/index.ts';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

export class FakeClock implements Clock {
  #t = 0;
  #seq = 0;
  #heap: Entry[] = [];
  #live = 0;
  readonly #wallEpoch: number;

  /** `wallEpoch`: what wallNow() returns at fake time 0 (default 2026-01-01T00:00:00Z). */
  constructor(wallEpoch = 1_767_225_600_000) {
    this.#wallEpoch = wallEpoch;
  }

  now(): number {
    return this.#t;
  }

  wallNow(): number {
    return this.#wallEpoch + this.#t;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const e: Entry = { at: this.#t + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: this.#seq++, fn, live: true };
    this.#push(e);
    this.#live++;
    return {
      cancel: () => {
        if (e.live) {
          e.live = false;
          this.#live--;
        }
      },
    };
  }

  /** Moves time forward by `ms`, running every timer that falls due (at most `maxFirings`, to catch loops). */
  advance(ms: number, maxFirings = 10_000_000): void {
    const end = this.#t + Math.max(0, ms);
    for (let fired = 0; ; fired++) {
      if (fired >= maxFirings)
        throw new Error(`FakeClock.advance: more than ${maxFirings} timers fired (a timer loop?)`);
      const top = this.#peekLive();
      if (!top || top.at > end) break;
      this.#pop();
      top.live = false;
      this.#live--;
      this.#t = top.at;
      top.fn();
    }
    this.#t = end;
  }

  /** Runs timers until none is left or `limitMs` of fake time has passed; returns the time advanced. */
  runAll(limitMs = 3_600_000): number {
    const start = this.#t;
    for (let next = this.nextAt(); next !== undefined && next - start <= limitMs; next = this.nextAt()) {
      this.advance(next - this.#t);
    }
    return this.#t - start;
  }

  /** When the next live timer is due, or undefined. */
  nextAt(): number | undefined {
    return this.#peekLive()?.at;
  }

  /** Number of timers still armed. */
  get armed(): number {
    return this.#live;
  }

  #peekLive(): Entry | undefined {
    while (this.#heap.length > 0 && !(this.#heap[0] as Entry).live) this.#pop();
    return this.#heap[0];
  }

  #less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i] as Entry, h[p] as Entry)) break;
      [h[i], h[p]] = [h[p] as Entry, h[i] as Entry];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop() as Entry;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l] as Entry, h[m] as Entry)) m = l;
      if (r < h.length && this.#less(h[r] as Entry, h[m] as Entry)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Entry, h[i] as Entry];
      i = m;
    }
  }
}
