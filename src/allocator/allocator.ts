// The IP allocator: pools, which service holds which address, and the sharing rules. Pure: no
// Kubernetes client, no I/O, no clock. Behaviour follows MetalLB's internal/allocator (see the notes
// on each method), but takes a plain request and never scans a range from its start to find a free
// address (free-addresses.ts). This class is the public face; the work is done by plain functions over
// one AllocatorState: allocator-state.ts (address table, holders), allocate.ts (pool choice, picking
// free addresses), take-exact.ts (named or restored addresses, and the checks on them).
import type { Pool } from '../config/model.ts';
import { parseIp } from '../net/ip.ts';
import { allocate, pick } from './allocate.ts';
import {
  FAMILIES,
  acquire,
  assignmentFor,
  holderOf,
  ipOf,
  link,
  newAllocatorState,
  releaseHolding,
  take,
  unlink,
  type Holding,
} from './allocator-state.ts';
import { autoAssignOrder, compilePool, poolAllows, poolServes, type CompiledPool } from './compiled-pool.ts';
import { failure } from './errors.ts';
import { normalizeRequest, parseAddresses, sortByFamilies, type NormalizedRequest } from './request.ts';
import type { AddressState } from './sharing.ts';
import { checkHolding, sameIps, takeExact } from './take-exact.ts';
import type { AllocationRequest, AllocationResult, Assignment, PoolUsage } from './types.ts';

export class Allocator {
  private readonly st = newAllocatorState();

  /**
   * Replaces the pools. A service keeps its addresses when some pool (its own first, by name) still
   * contains them, still serves it (serviceAllocation) and matches its address-pool annotation; the
   * others are released and their keys returned. MetalLB does the same (and also moves an assignment
   * to another pool that contains its addresses).
   */
  setPools(pools: readonly Pool[]): string[] {
    const st = this.st;
    const compiled: CompiledPool[] = [];
    const byName = new Map<string, CompiledPool>();
    for (const pool of pools) {
      if (byName.has(pool.name)) continue; // the config parser rejects duplicates; keep the first
      const c = compilePool(pool, compiled.length, this.st.isTaken);
      compiled.push(c);
      byName.set(pool.name, c);
    }
    st.compiled = compiled;
    st.byName = byName;
    st.order = autoAssignOrder(compiled);

    const invalid: string[] = [];
    for (const [key, h] of this.st.holdings) {
      const ips = h.addrs.map(ipOf);
      const own = byName.get(h.pool);
      const candidates = own ? [own, ...compiled] : compiled;
      const p = candidates.find(
        (c) =>
          ips.every((ip) => poolAllows(c, ip.family, ip.value)) &&
          poolServes(c, h.req) &&
          (h.req.poolHint === undefined || c.name === h.req.poolHint),
      );
      if (p) h.pool = p.name;
      else invalid.push(key);
    }
    for (const key of invalid) {
      const h = this.st.holdings.get(key) as Holding;
      this.st.holdings.delete(key);
      for (const s of h.addrs) {
        // The new free structures start afresh (cursor at the start), so nothing to hand back.
        if (unlink(this.st, s, key)) this.st.table[s.family].delete(s.value);
      }
    }
    // Recount what each pool holds.
    for (const h of this.st.holdings.values()) for (const s of h.addrs) s.pool = h.pool;
    for (const family of FAMILIES) {
      for (const s of this.st.table[family].values()) {
        const p = byName.get(s.pool);
        if (p) p.assigned[family]++;
      }
    }
    return invalid;
  }

  /**
   * Gives the service its addresses. Idempotent: a service that already holds addresses still valid
   * for this request (families, requested IPs, pool hint, serviceAllocation, sharing) keeps them, with
   * its ports and sharing data updated. A PreferDualStack service holding one family gets the other
   * added from the same pool when there is room (MetalLB's AllocateFromPoolForAdditionalFamily).
   * Otherwise its old addresses are released and new ones allocated; if that fails, the service keeps
   * the addresses it held (reported as `kept` next to the error): an edit that cannot be met never
   * takes a working IP away. (Pools that shrink are handled by setPools, which does release.)
   */
  assign(req: AllocationRequest): AllocationResult {
    const n = normalizeRequest(req);
    if ('code' in n) return { ok: false, error: n };
    const h = this.st.holdings.get(n.key);
    if (h && !checkHolding(this.st, h, n)) return { ok: true, assignment: this.keep(h, n, true) };
    if (h) this.release(n.key);
    const result = n.requested.length > 0 ? takeExact(this.st, n, n.requested) : allocate(this.st, n);
    if (result.ok || !h) return result;
    const pool = this.st.byName.get(h.pool);
    if (!pool) return result;
    return { ...result, kept: take(this.st, h.req, pool, h.addrs.map(ipOf)) };
  }

  /**
   * On controller start: takes exactly the addresses already in the Service's status if they are valid
   * for the request (one pool contains them all, it serves the service, no sharing clash, and they are
   * the requested ones when addresses are requested); else an error and nothing changes.
   */
  restore(req: AllocationRequest, ips: readonly string[]): AllocationResult {
    const n = normalizeRequest(req);
    if ('code' in n) return { ok: false, error: n };
    if (!Array.isArray(ips) || ips.length === 0) return failure('InvalidRequest', `${n.key}: no addresses to restore`);
    const parsed = parseAddresses(n.key, ips, 'status address');
    if (!Array.isArray(parsed)) return { ok: false, error: parsed };
    const wanted = sortByFamilies(parsed, n.families);
    if (n.requested.length > 0 && !sameIps(n.requested, wanted)) {
      return failure(
        'RequestedIpChanged',
        `${n.key}: status holds ${ips.join(', ')} but the service requests ${n.requestedText.join(', ')}`,
      );
    }
    const h = this.st.holdings.get(n.key);
    if (h && sameIps(h.addrs.map(ipOf), wanted)) {
      const err = checkHolding(this.st, h, n);
      if (err) return { ok: false, error: err };
      return { ok: true, assignment: this.keep(h, n, false) };
    }
    return takeExact(this.st, n, wanted);
  }

  /** Frees the service's addresses (an address shared with others stays with them). */
  release(key: string): void {
    releaseHolding(this.st, key);
  }

  assignmentOf(key: string): Assignment | undefined {
    const h = this.st.holdings.get(key);
    return h && assignmentFor(h);
  }

  /** Every assignment, in the order they were made. */
  assignments(): Assignment[] {
    return [...this.st.holdings.values()].map((h) => assignmentFor(h));
  }

  /** Keys of the services holding an address (several when shared). */
  holdersOf(ip: string): string[] {
    const parsed = parseIp(ip);
    const s = parsed && this.st.table[parsed.family].get(parsed.value);
    return s ? s.holders.map((h) => h.key) : [];
  }

  /** Per pool and family: distinct addresses held, and addresses still free (avoid-buggy-ips applied). */
  usage(): PoolUsage[] {
    const out: PoolUsage[] = [];
    for (const p of this.st.compiled) {
      for (const family of FAMILIES) {
        const free = p.free[family];
        if (!free) continue;
        const assigned = p.assigned[family];
        out.push({ pool: p.name, family, assigned, available: free.capacity - BigInt(assigned) });
      }
    }
    return out;
  }

  /** Keeps the holding, re-registering ports and sharing data from the new request. */
  private keep(h: Holding, n: NormalizedRequest, addMissingFamily: boolean): Assignment {
    const holder = holderOf(n);
    for (const s of h.addrs) {
      unlink(this.st, s, n.key);
      link(this.st, s, holder);
    }
    h.req = n;
    const first = h.addrs[0];
    if (addMissingFamily && n.mode === 'prefer' && h.addrs.length === 1 && first && n.requested.length === 0) {
      const missing = n.families.find((f) => f !== first.family);
      const p = this.st.byName.get(h.pool);
      const ip = missing && p && pick(this.st, p, missing, holder);
      if (ip) h.addrs.push(acquire(this.st, ip, p.name, holder));
    }
    // Primary family first, as the request now says (ipFamilies order may have changed).
    const rank = (s: AddressState): number => n.families.indexOf(s.family);
    if (h.addrs.length === 2 && rank(h.addrs[0] as AddressState) > rank(h.addrs[1] as AddressState)) h.addrs.reverse();
    return assignmentFor(h);
  }
}
