// A Pool prepared for allocation: merged segments and a free-address structure per family, plus which
// services it may serve (serviceAllocation) and its place in the auto-assignment order.
import type { Family } from '../net/family.ts';
import type { Pool } from '../config/model.ts';
import { matchesSelector } from '../config/selector.ts';
import { FreeAddresses, mergeSegments } from './free-addresses.ts';
import type { NormalizedRequest } from './request.ts';

export interface CompiledPool {
  pool: Pool;
  name: string;
  /** Position in the configuration (the tie-breaker of the auto-assignment order). */
  index: number;
  free: Partial<Record<Family, FreeAddresses>>;
  /** Distinct addresses of this pool currently held, per family. */
  assigned: Record<Family, number>;
}

export function compilePool(pool: Pool, index: number, isTaken: Record<Family, (v: bigint) => boolean>): CompiledPool {
  const free: Partial<Record<Family, FreeAddresses>> = {};
  for (const family of ['ipv4', 'ipv6'] as const) {
    const segments = mergeSegments((pool.ranges ?? []).filter((r) => r.family === family));
    if (segments.length > 0)
      free[family] = new FreeAddresses(family, segments, pool.avoidBuggyIPs === true, isTaken[family]);
  }
  return { pool, name: pool.name, index, free, assigned: { ipv4: 0, ipv6: 0 } };
}

/** Whether the pool may hand this address out (inside its ranges, and not a buggy IP it avoids). */
export function poolAllows(p: CompiledPool, family: Family, value: bigint): boolean {
  return p.free[family]?.allows(value) ?? false;
}

/**
 * serviceAllocation: a pool that has one only serves services that match it. Namespaces: listed, or
 * matching one of namespaceSelectors (neither given = any namespace). Services: matching one of
 * serviceSelectors (none given = any service).
 */
export function poolServes(p: CompiledPool, req: NormalizedRequest): boolean {
  const sa = p.pool.serviceAllocation;
  if (!sa) return true;
  const namespaces = sa.namespaces ?? [];
  const nsSelectors = sa.namespaceSelectors ?? [];
  const svcSelectors = sa.serviceSelectors ?? [];
  const nsOk =
    (namespaces.length === 0 && nsSelectors.length === 0) ||
    namespaces.includes(req.namespace) ||
    nsSelectors.some((s) => matchesSelector(s, req.namespaceLabels));
  if (!nsOk) return false;
  return svcSelectors.length === 0 || svcSelectors.some((s) => matchesSelector(s, req.labels));
}

/** Why poolServes said no, for the error message. */
export function whyNotServed(p: CompiledPool, req: NormalizedRequest): string {
  const sa = p.pool.serviceAllocation;
  const parts: string[] = [];
  if (sa && (sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0)) {
    const ns = sa.namespaces.length > 0 ? `namespaces [${sa.namespaces.join(', ')}]` : '';
    const sel = sa.namespaceSelectors.length > 0 ? 'namespaces matching its namespaceSelectors' : '';
    parts.push([ns, sel].filter(Boolean).join(' or '));
  }
  if (sa && sa.serviceSelectors.length > 0) parts.push('services matching its serviceSelectors');
  return `pool "${p.name}" only serves ${parts.join(' and ')} (serviceAllocation); service ${req.key} in namespace "${req.namespace}" does not match`;
}

/**
 * Auto-assignment order, as MetalLB: pools with a serviceAllocation (the ones "pinned" to matching
 * services) first, by priority (lower number first, no priority after every numbered one); then pools
 * without serviceAllocation. Ties keep configuration order (by name for CRDs). MetalLB breaks ties by Go
 * map order, i.e. randomly; a fixed order is the improvement.
 */
export function autoAssignOrder(pools: readonly CompiledPool[]): CompiledPool[] {
  const rank = (p: CompiledPool): [number, number] => {
    const sa = p.pool.serviceAllocation;
    if (!sa) return [2, 0];
    return sa.priority === undefined ? [1, 0] : [0, sa.priority];
  };
  return pools
    .filter((p) => p.pool.autoAssign)
    .sort((a, b) => {
      const [ga, pa] = rank(a);
      const [gb, pb] = rank(b);
      return ga - gb || pa - pb || a.index - b.index;
    });
}
