// Injected time for sessions: timers go through a Clock so tests can drive hold-timer expiry and
// back-off without waiting. The real clock wraps setTimeout; FakeClock runs due timers on advance().

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number; // milliseconds
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/**
 * Real timers. They keep the process alive on purpose: a session waiting to reconnect (ConnectRetry,
 * IdleHold) has work scheduled; stop() cancels every timer, so a stopped speaker lets Node exit.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A manual clock: nothing fires until advance(); timers fire in due order. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** Moves time forward by `ms`, running every timer that falls due (including ones set meanwhile). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.reduce<Pending | undefined>(
        (a, p) => (p.at <= end && (!a || p.at < a.at || (p.at === a.at && p.seq < a.seq)) ? p : a),
        undefined,
      );
      if (!next) break;
      this.t = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.t = end;
  }

  /** Number of timers still armed. */
  get armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
