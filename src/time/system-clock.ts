// The real clock: the monotonic process.hrtime for durations (milliseconds since this module loaded, as
// performance.now() counts from the process's start), Date.now() for timestamps, setTimeout for timers.
// The only place in src/ (with the lint rule that says so) that reads the system time. Not
// performance.now(): the `performance` global loads nine modules of perf_hooks (~0.4 MiB of RSS).
import type { Clock, Timer, TimerOptions } from './clock.ts';

const origin = process.hrtime.bigint();

export const systemClock: Clock = {
  now: () => Number(process.hrtime.bigint() - origin) / 1e6,
  wallNow: () => Date.now(),
  setTimer(ms: number, fn: () => void, opts?: TimerOptions): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    if (opts?.unref) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
