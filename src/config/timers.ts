// BGP hold and keepalive times (RFC 4271 §4.2, §10), resolved the way MetalLB does: Go durations rounded
// down to whole seconds; hold time 0 (no keepalives) or at least 3s; keepalive lower than hold time.
import { parseGoDuration } from './duration.ts';
import type { Problems } from './problems.ts';

export interface TimerInput {
  holdTime?: string;
  keepaliveTime?: string;
  holdPath: string;
  keepalivePath: string;
  /**
   * legacy: hold time defaults to 90s whatever the keepalive (MetalLB ≤ 0.12).
   * crd: a lone keepaliveTime implies holdTime = 3 × keepaliveTime (MetalLB's parseTimers).
   */
  style: 'legacy' | 'crd';
}

export const DEFAULT_HOLD_TIME = 90;

function seconds(problems: Problems, path: string, text: string): number | undefined {
  const d = parseGoDuration(text);
  if (typeof d === 'string') {
    problems.add(path, d);
    return undefined;
  }
  return Math.trunc(d);
}

/** Returns [holdTime, keepaliveTime] in seconds, or undefined after reporting the problem. */
export function resolveTimers(problems: Problems, t: TimerInput): [number, number] | undefined {
  const before = problems.count;
  const hold = t.holdTime === undefined ? undefined : seconds(problems, t.holdPath, t.holdTime);
  const keep = t.keepaliveTime === undefined ? undefined : seconds(problems, t.keepalivePath, t.keepaliveTime);
  if (problems.count > before) return undefined;

  let holdTime: number;
  if (hold !== undefined) holdTime = hold;
  else if (keep !== undefined && t.style === 'crd') holdTime = keep * 3;
  else holdTime = DEFAULT_HOLD_TIME;
  const keepaliveTime = keep ?? Math.floor(holdTime / 3);

  if (holdTime !== 0 && holdTime < 3) {
    problems.add(
      hold !== undefined ? t.holdPath : t.keepalivePath,
      `hold time ${holdTime}s is invalid: must be 0 (no keepalives) or at least 3s`,
    );
    return undefined;
  }
  if (keepaliveTime < 0) {
    problems.add(t.keepalivePath, `keepalive time ${keepaliveTime}s must not be negative`);
    return undefined;
  }
  if (keepaliveTime >= holdTime && !(keepaliveTime === 0 && holdTime === 0)) {
    problems.add(
      t.keepalivePath,
      `keepalive time ${keepaliveTime}s must be lower than the hold time ${holdTime}s (RFC 4271 suggests one third)`,
    );
    return undefined;
  }
  return [holdTime, keepaliveTime];
}
