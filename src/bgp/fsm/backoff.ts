// Reconnect back-off: exponential from minSeconds doubling per failed attempt up to maxSeconds, with
// ±25 % jitter from an injected random source so that many speakers restarted together do not
// reconnect in lockstep. Pure.

export function backoffSeconds(
  attempt: number,
  bounds: { minSeconds: number; maxSeconds: number },
  random: () => number,
): number {
  const exp = Math.min(Math.max(0, attempt), 30);
  const base = Math.min(bounds.maxSeconds, bounds.minSeconds * 2 ** exp);
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  return base * (0.75 + 0.5 * unit);
}
