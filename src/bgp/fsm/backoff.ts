// Reconnect back-off in seconds for the FSM's timers: the one backoff (src/time) from minSeconds doubling
// per failed attempt up to maxSeconds, with ±25 % jitter from an injected random source so that many
// speakers restarted together do not reconnect in lockstep. Pure.
import { backoffDelay } from '../../time/backoff.ts';

/** ±25 %: enough spread to break lockstep, small enough that the delay still means what it says. */
const JITTER = 0.25;

export function backoffSeconds(
  attempt: number,
  bounds: { minSeconds: number; maxSeconds: number },
  random: () => number,
): number {
  const policy = { baseMs: bounds.minSeconds * 1000, maxMs: bounds.maxSeconds * 1000, jitter: JITTER };
  return backoffDelay(policy, Math.max(0, attempt) + 1, random) / 1000;
}
