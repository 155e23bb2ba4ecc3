// Exponential backoff, pure: attempt number in, delay out. Callers own the timers.

export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Upper bound, whatever the number of failures. */
  maxMs: number;
}

/** Retries of a failed reconcile: fast first retry, capped so a long outage retries every 30 s. */
export const RECONCILE_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 30_000 };
/** Reconnects of a failed list/watch: the API server may be restarting; do not hammer it. */
export const WATCH_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/** Delay before retry number `failures` (1 = after the first failure): base * 2^(failures-1), capped. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 30);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
}
