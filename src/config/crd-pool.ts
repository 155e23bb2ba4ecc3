// IPAddressPool (metallb.io/v1beta1) → Pool (protocols filled in later from the advertisements).
import { type RangeEntry, readAddresses } from './address-list.ts';
import type { CrdObject } from './crd-envelope.ts';
import type { Pool, ServiceAllocation } from './model.ts';
import { join } from './problems.ts';
import { Fields } from './reader.ts';
import { readSelectorList } from './selector-parse.ts';

export interface PoolDraft {
  obj: CrdObject;
  pool: Pool;
  ranges: RangeEntry[];
}

const SPEC = ['addresses', 'autoAssign', 'avoidBuggyIPs', 'serviceAllocation'];
const ALLOCATION = ['priority', 'namespaces', 'namespaceSelectors', 'serviceSelectors'];
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Always returns what could be read, so cross-object checks (overlaps, aggregation) still run. */
export function readPool(obj: CrdObject): PoolDraft {
  const problems = obj.problems;
  const f = new Fields(problems, 'spec', obj.spec, { known: SPEC });
  const ranges = readAddresses(f, 'addresses');
  const pool: Pool = {
    name: obj.name,
    protocols: [],
    ranges: ranges.map((r) => r.parsed.range),
    autoAssign: f.bool('autoAssign') ?? true,
    avoidBuggyIPs: f.bool('avoidBuggyIPs') ?? false,
    labels: obj.labels,
  };
  const alloc = f.fields('serviceAllocation', { known: ALLOCATION });
  if (alloc) {
    const sa: ServiceAllocation = {
      namespaces: [],
      namespaceSelectors: readSelectorList(alloc, 'namespaceSelectors', 'crd'),
      serviceSelectors: readSelectorList(alloc, 'serviceSelectors', 'crd'),
    };
    // MetalLB: priority 0 (or absent) means "no priority": such pools are tried after numbered ones.
    const priority = alloc.int('priority', -2147483648, 2147483647);
    if (priority !== undefined && priority !== 0) sa.priority = priority;
    (alloc.strings('namespaces') ?? []).forEach((ns, i) => {
      const p = join(alloc.at('namespaces'), i);
      if (!DNS_LABEL_RE.test(ns) || ns.length > 63) problems.add(p, `"${ns}" is not a valid namespace name`);
      else if (sa.namespaces.includes(ns)) problems.add(p, `duplicate namespace "${ns}"`);
      else sa.namespaces.push(ns);
    });
    pool.serviceAllocation = sa;
  }
  return { obj, pool, ranges };
}
