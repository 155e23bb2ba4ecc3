// The one clock. Every engine (BGP session, BFD, membership, Layer 2, work queues) takes a Clock, so a
// test drives them all from one fake clock (test/helpers/fake-clock.ts) and pure code never reads time.

export interface Timer {
  /** Cancels the timer; calling it again, or after the timer fired, does nothing. */
  cancel(): void;
}

export interface TimerOptions {
  /**
   * false (default): the timer keeps the process alive (a session waiting to reconnect has work
   * scheduled). true: it does not (housekeeping that should never hold up exit, e.g. retries).
   */
  unref?: boolean;
}

export interface Clock {
  /** Monotonic milliseconds (fractional); never goes back, unrelated to the wall clock. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch, for timestamps people read; never for durations. */
  wallNow(): number;
  /** Runs `fn` once after `ms` milliseconds (negative counts as 0). */
  setTimer(ms: number, fn: () => void, opts?: TimerOptions): Timer;
}
