// "Did you mean" suggestions for unknown names (fields, kinds, operators, aliases, pools).

/**
 * Edit distance with adjacent transpositions (optimal string alignment / restricted Damerau-Levenshtein):
 * insert, delete, substitute, swap two neighbours; each costs 1. "asign"→"assign" and "sepc"→"spec" are 1.
 */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Case, `-` and `_` differences only: `autoAssign` ~ `auto-assign` ~ `auto_assign`. */
function normalized(s: string): string {
  return s.toLowerCase().replace(/[-_]/g, '');
}

/**
 * The closest candidate, or undefined when none is close enough. A candidate that differs only in case
 * or separators always wins; otherwise the edit distance must be small for the name's length (1 up to
 * 3 characters, then max(2, length / 4)) and smaller than the name itself.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  // No known name is long; comparing a megabyte of input against each would cost O(n·m) time and memory.
  if (name.length > 64) return undefined;
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
  const limit = name.length <= 3 ? 1 : Math.max(2, Math.floor(name.length / 4));
  return bestDistance <= limit && bestDistance < name.length ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
