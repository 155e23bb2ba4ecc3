// The one backoff: exponential, capped, with optional jitter from an injected random source (pure code
// never calls Math.random), so many speakers restarted together do not retry in lockstep.

export interface BackoffPolicy {
  /** Delay after the first failure, in milliseconds. */
  baseMs: number;
  /** Upper bound whatever the number of failures, in milliseconds (before jitter). */
  maxMs: number;
  /** Fraction of the delay to spread either way: 0.25 gives ±25 %. 0 or absent: no jitter. */
  jitter?: number;
}

/**
 * Delay before retry number `failures` (1 = after the first failure): baseMs * 2^(failures-1), capped
 * at maxMs, then spread by ±jitter using `random()` in [0, 1) (0.5 = no spread). 0 for failures <= 0.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = () => 0.5): number {
  if (!(failures > 0)) return 0;
  const exp = Math.min(failures - 1, 30);
  const base = Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
  const jitter = policy.jitter ?? 0;
  if (jitter <= 0) return base;
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  return base * (1 - jitter + 2 * jitter * unit);
}
