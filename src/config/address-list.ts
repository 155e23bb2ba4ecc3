// A pool's `addresses` list, as both the legacy ConfigMap and IPAddressPool write it: required,
// non-empty, each entry a CIDR or range string (see address-range.ts).
import { type ParsedRange, parseAddressEntry } from './address-range.ts';
import { join } from './problems.ts';
import { type Fields, describe } from './reader.ts';

export interface RangeEntry {
  parsed: ParsedRange;
  /** Where the entry stands, for problems found later (overlaps, aggregation). */
  path: string;
}

/** The entries that parsed, in order; every other one is reported where it stands. */
export function readAddresses(f: Fields, key: string): RangeEntry[] {
  const problems = f.problems;
  const out: RangeEntry[] = [];
  if (!f.require(key)) return out;
  const entries = f.list(key);
  if (entries && entries.length === 0) problems.add(f.at(key), 'a pool needs at least one CIDR or range');
  entries?.forEach((e, i) => {
    const p = join(f.at(key), i);
    if (typeof e !== 'string') {
      problems.add(p, `must be a string (got ${describe(e)})`);
      return;
    }
    const parsed = parseAddressEntry(e);
    if (typeof parsed === 'string') problems.add(p, parsed);
    else out.push({ parsed, path: p });
  });
  return out;
}
