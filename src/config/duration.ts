// Go's time.ParseDuration, which MetalLB uses for hold-time / keepalive-time (legacy) and which
// metav1.Duration uses for holdTime / keepaliveTime (CRDs): "90s", "1m30s", "1.5h", "300ms", "0".

const UNIT_SECONDS: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-9],
  ['us', 1e-6],
  ['µs', 1e-6], // U+00B5 micro sign
  ['μs', 1e-6], // U+03BC Greek mu
  ['ms', 1e-3],
  ['s', 1],
  ['m', 60],
  ['h', 3600],
]);

/** Seconds (fractional, may be negative), or an error message. */
export function parseGoDuration(text: string): number | string {
  const s = text;
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const m = /^([-+]?)(.*)$/.exec(s)!;
  const sign = m[1] === '-' ? -1 : 1;
  let rest = m[2]!;
  if (rest === '') return `"${text}" is not a duration (expected e.g. "90s" or "1m30s")`;
  let total = 0;
  while (rest !== '') {
    const part = /^(\d*)(?:\.(\d*))?([^\d.]+)?/.exec(rest)!;
    const [whole, intPart = '', fracPart, unit] = part;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) {
      return `"${text}" is not a duration (expected e.g. "90s" or "1m30s")`;
    }
    if (unit === undefined) {
      return /^\d+$/.test(s)
        ? `"${text}" has no unit (write "${text}s" for seconds)`
        : `"${text}" is not a duration: missing unit (ns, us, ms, s, m, h)`;
    }
    const factor = UNIT_SECONDS.get(unit);
    if (factor === undefined) {
      return `"${text}" is not a duration: unknown unit "${unit}" (use ns, us, ms, s, m or h)`;
    }
    total += Number(`${intPart || '0'}.${fracPart ?? '0'}`) * factor;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}
