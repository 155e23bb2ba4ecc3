// The real clock: performance.now() for durations, Date.now() for timestamps, setTimeout for timers.
// The only place in src/ (with the lint rule that says so) that reads the system time.
import type { Clock, Timer, TimerOptions } from './clock.ts';

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(ms: number, fn: () => void, opts?: TimerOptions): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    if (opts?.unref) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
