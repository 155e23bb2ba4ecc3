// Time for BfdSession, injected so the state machine is tested on a fake clock.
export interface BfdClock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimer(fn: () => void, delayMs: number): BfdTimer;
}

export interface BfdTimer {
  cancel(): void;
}

export const realClock: BfdClock = {
  now: () => performance.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};

/** A manual clock: advance(ms) fires due timers in time order. For tests. */
export class FakeClock implements BfdClock {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, delayMs: number): BfdTimer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, delayMs), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Moves time forward by `ms`, firing each timer at its own time (bounded: at most 1e6 firings). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let fired = 0; fired < 1_000_000; fired++) {
      let nextId: number | undefined;
      let next: { at: number; fn: () => void } | undefined;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === undefined || timer.at < next.at)) {
          nextId = id;
          next = timer;
        }
      }
      if (next === undefined || nextId === undefined) break;
      this.timers.delete(nextId);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }

  pending(): number {
    return this.timers.size;
  }
}
