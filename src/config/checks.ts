// Cross-object checks shared by the legacy and CRD parsers: unique names, non-overlapping pools,
// aggregation lengths that fit every covered range, references to pools / peers / profiles.
import type { ParsedRange } from './address-range.ts';
import type { Problems } from './problems.ts';
import { didYouMean } from './suggest.ts';

export interface Located {
  problems: Problems;
  path: string;
}

export interface NamedAt extends Located {
  name: string;
}

/** Reports every item whose name was already used; `what` is e.g. "pool" or "BGP peer". */
export function checkUniqueNames(items: readonly NamedAt[], what: string, describeFirst: (i: NamedAt) => string): void {
  const first = new Map<string, NamedAt>();
  for (const item of items) {
    const prev = first.get(item.name);
    if (prev)
      item.problems.add(item.path, `duplicate ${what} name "${item.name}" (first defined at ${describeFirst(prev)})`);
    else first.set(item.name, item);
  }
}

export interface RangeAt extends Located {
  parsed: ParsedRange;
  pool: string;
  /** Identifies the pool object (two pools may wrongly share a name). */
  owner: number;
  /** Input order, so the problem is reported on the range written later. */
  order: number;
}

/**
 * Every pair of overlapping ranges is an error (MetalLB: "CIDR ... overlaps with already defined CIDR").
 * Sorted sweep: O(n log n); each range is compared with the one reaching furthest so far.
 */
export function checkOverlaps(ranges: readonly RangeAt[]): void {
  const sorted = [...ranges].sort((a, b) => {
    if (a.parsed.range.family !== b.parsed.range.family) return a.parsed.range.family < b.parsed.range.family ? -1 : 1;
    const d = a.parsed.range.first - b.parsed.range.first;
    return d < 0n ? -1 : d > 0n ? 1 : a.order - b.order;
  });
  let reach: RangeAt | undefined;
  for (const cur of sorted) {
    if (
      reach &&
      reach.parsed.range.family === cur.parsed.range.family &&
      cur.parsed.range.first <= reach.parsed.range.last
    ) {
      const [early, late] = reach.order < cur.order ? [reach, cur] : [cur, reach];
      const whose = early.owner === late.owner ? 'in the same pool' : `of pool "${early.pool}"`;
      late.problems.add(
        late.path,
        `"${late.parsed.range.text}" of pool "${late.pool}" overlaps "${early.parsed.range.text}" ${whose}`,
      );
    }
    if (
      !reach ||
      reach.parsed.range.family !== cur.parsed.range.family ||
      cur.parsed.range.last > reach.parsed.range.last
    ) {
      reach = cur;
    }
  }
}

export interface PoolRanges {
  name: string;
  ranges: readonly ParsedRange[];
}

/**
 * An aggregation length shorter than a covered range's own prefix would announce addresses outside the
 * pool; MetalLB rejects it ("prefix ... in this pool is more specific than the aggregation length").
 */
export function checkAggregation(
  at: { v4: Located; v6: Located },
  lengths: { v4: number; v6: number },
  pools: readonly PoolRanges[],
): void {
  const reported = new Set<string>();
  for (const pool of pools) {
    for (const r of pool.ranges) {
      const v6 = r.range.family === 'ipv6';
      const len = v6 ? lengths.v6 : lengths.v4;
      const key = `${v6}`;
      if (len >= r.shortestPrefix || reported.has(key)) continue;
      reported.add(key);
      const loc = v6 ? at.v6 : at.v4;
      loc.problems.add(
        loc.path,
        `aggregation length ${len} is shorter than the /${r.shortestPrefix} prefix of "${r.range.text}" in pool "${pool.name}": the aggregate would cover addresses outside the pool`,
      );
    }
  }
}

/** Reports a reference to a name that does not exist, suggesting the closest one. */
export function checkReference(
  loc: Located,
  kind: string,
  name: string,
  known: ReadonlySet<string> | readonly string[],
): boolean {
  const has = known instanceof Set ? known.has(name) : (known as readonly string[]).includes(name);
  if (has) return true;
  loc.problems.add(loc.path, `unknown ${kind} "${name}"${didYouMean(name, known)}`);
  return false;
}
