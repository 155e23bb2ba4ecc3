// Rate-limited logging of what a peer sent wrong, per reason: every occurrence is counted (the session's
// metrics hook, so nothing is lost), but at most `burst` lines per reason are logged per `intervalMs`;
// when lines were held back, one summary line per reason says how many, at the end of the interval.
// 10,000 malformed UPDATEs thus cost a handful of log lines and one counter per reason. The lines held
// back still go out at debug level (nothing is lost to someone debugging; the logger drops them otherwise).
import type { Logger } from '../../log/index.ts';
import type { Clock, Timer } from '../../time/index.ts';

export interface LogLimit {
  burst: number;
  intervalMs: number;
}

/** Defaults: enough lines to see what is wrong, few enough that a flood stays small. */
export const DEFAULT_LOG_LIMIT: LogLimit = {
  // The first few occurrences of a reason carry the detail an operator needs (offsets, attribute types).
  burst: 5,
  // One summary per reason per minute at most while a flood goes on.
  intervalMs: 60_000,
};

export interface ErrorLogHooks {
  /** Every occurrence. */
  count: (reason: string) => void;
  /** Each occurrence that was not logged. */
  suppressed?: (reason: string) => void;
}

interface Window {
  start: number;
  logged: number;
  suppressed: number;
  timer?: Timer;
}

export class ErrorLog {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly limit: LogLimit;
  private readonly hooks: ErrorLogHooks;
  private readonly windows = new Map<string, Window>();

  constructor(log: Logger, clock: Clock, hooks: ErrorLogHooks, limit: LogLimit = DEFAULT_LOG_LIMIT) {
    this.log = log;
    this.clock = clock;
    this.hooks = hooks;
    this.limit = limit;
  }

  /** Counts `reason` and logs `fields`/`msg` at warn unless the reason is over its limit. Returns whether logged. */
  report(reason: string, fields: Record<string, unknown>, msg: string): boolean {
    this.hooks.count(reason);
    const now = this.clock.now();
    let w = this.windows.get(reason);
    if (!w || now - w.start >= this.limit.intervalMs) {
      if (w) this.summarize(reason, w);
      w = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(reason, w);
    }
    if (w.logged < this.limit.burst) {
      w.logged++;
      this.log.warn({ ...fields, reason }, msg);
      return true;
    }
    w.suppressed++;
    this.hooks.suppressed?.(reason);
    this.log.debug({ ...fields, reason, rateLimited: true }, msg);
    if (!w.timer) {
      const window = w;
      window.timer = this.clock.setTimer(window.start + this.limit.intervalMs - now, () => {
        window.timer = undefined;
        this.summarize(reason, window);
        if (this.windows.get(reason) === window) this.windows.delete(reason);
      });
    }
    return false;
  }

  /** Logs what is still held back and stops the timers (the session is stopping). */
  flush(): void {
    for (const [reason, w] of this.windows) this.summarize(reason, w);
    this.windows.clear();
  }

  private summarize(reason: string, w: Window): void {
    w.timer?.cancel();
    w.timer = undefined;
    if (w.suppressed === 0) return;
    this.log.warn(
      { event: 'log-suppressed', reason, suppressed: w.suppressed, seconds: this.limit.intervalMs / 1000 },
      'more of the same errors from this peer were counted but not logged',
    );
    w.suppressed = 0;
  }
}
