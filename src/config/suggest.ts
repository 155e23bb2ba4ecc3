// "Did you mean" suggestions for unknown names (fields, kinds, operators, aliases, pools).

/** Levenshtein edit distance (insert, delete, substitute; each costs 1). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Case, `-` and `_` differences only: `autoAssign` ~ `auto-assign` ~ `auto_assign`. */
function normalized(s: string): string {
  return s.toLowerCase().replace(/[-_]/g, '');
}

/**
 * The closest candidate, or undefined when none is close enough. A candidate that differs only in case
 * or separators always wins; otherwise the edit distance must be at most max(2, length / 3).
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const norm = normalized(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (normalized(c) === norm) return c;
    const d = levenshtein(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
