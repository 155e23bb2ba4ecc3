// The IP allocator: pools, which service holds which address, and the sharing rules. Pure: no
// Kubernetes client, no I/O, no clock. Behaviour follows MetalLB's internal/allocator (see the notes
// on each method), but takes a plain request and never scans a range from its start to find a free
// address (free-addresses.ts).
import type { Family, Pool } from '../config/model.ts';
import { parseIp, type Ip } from '../net/ip.ts';
import { addressText } from './address-text.ts';
import { autoAssignOrder, compilePool, poolAllows, poolServes, whyNotServed, type CompiledPool } from './compiled-pool.ts';
import { allocationError, failure, familyName } from './errors.ts';
import { normalizeRequest, parseAddresses, sortByFamilies, type NormalizedRequest } from './request.ts';
import {
  attachHolder,
  checkSharing,
  detachHolder,
  newAddressState,
  portsFree,
  sharingGroupOf,
  type AddressState,
  type Holder,
} from './sharing.ts';
import { SharingIndex } from './sharing-index.ts';
import type { AllocationError, AllocationRequest, AllocationResult, Assignment, PoolUsage } from './types.ts';

interface Holding {
  req: NormalizedRequest;
  pool: string;
  /** One per family, primary family first. */
  addrs: AddressState[];
}

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

/** A NormalizedRequest carries key, sharingKey, backend and ports: it is its own Holder. */
function holderOf(n: NormalizedRequest): Holder {
  return n;
}

function ipOf(s: AddressState): Ip {
  return { family: s.family, value: s.value };
}

function sameIps(a: readonly Ip[], b: readonly Ip[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => y.family === x.family && y.value === x.value));
}

function listNames(pools: readonly CompiledPool[]): string {
  return pools.map((p) => `"${p.name}"`).join(', ');
}

export class Allocator {
  private compiled: CompiledPool[] = [];
  private byName = new Map<string, CompiledPool>();
  private order: CompiledPool[] = [];
  /** Every held address, per family (bigint keys of the two families would collide in one map). */
  private readonly table: Record<Family, Map<bigint, AddressState>> = { ipv4: new Map(), ipv6: new Map() };
  private readonly isTaken: Record<Family, (v: bigint) => boolean> = {
    ipv4: (v) => this.table.ipv4.has(v),
    ipv6: (v) => this.table.ipv6.has(v),
  };
  private readonly holdings = new Map<string, Holding>();
  /** Shared addresses by sharing key + backend (for preferring an already shared address). */
  private readonly shared = new SharingIndex();

  /**
   * Replaces the pools. A service keeps its addresses when some pool (its own first, by name) still
   * contains them, still serves it (serviceAllocation) and matches its address-pool annotation; the
   * others are released and their keys returned. MetalLB does the same (and also moves an assignment
   * to another pool that contains its addresses).
   */
  setPools(pools: readonly Pool[]): string[] {
    const compiled: CompiledPool[] = [];
    const byName = new Map<string, CompiledPool>();
    for (const pool of pools) {
      if (byName.has(pool.name)) continue; // the config parser rejects duplicates; keep the first
      const c = compilePool(pool, compiled.length, this.isTaken);
      compiled.push(c);
      byName.set(pool.name, c);
    }
    this.compiled = compiled;
    this.byName = byName;
    this.order = autoAssignOrder(compiled);

    const invalid: string[] = [];
    for (const [key, h] of this.holdings) {
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
      const h = this.holdings.get(key) as Holding;
      this.holdings.delete(key);
      for (const s of h.addrs) {
        // The new free structures start afresh (cursor at the start), so nothing to hand back.
        if (this.unlink(s, key)) this.table[s.family].delete(s.value);
      }
    }
    // Recount what each pool holds.
    for (const h of this.holdings.values()) for (const s of h.addrs) s.pool = h.pool;
    for (const family of FAMILIES) {
      for (const s of this.table[family].values()) {
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
    const h = this.holdings.get(n.key);
    if (h && !this.checkHolding(h, n)) return { ok: true, assignment: this.keep(h, n, true) };
    if (h) this.release(n.key);
    const result = n.requested.length > 0 ? this.takeExact(n, n.requested) : this.allocate(n);
    if (result.ok || !h) return result;
    const pool = this.byName.get(h.pool);
    if (!pool) return result;
    return { ...result, kept: this.take(h.req, pool, h.addrs.map(ipOf)) };
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
    const h = this.holdings.get(n.key);
    if (h && sameIps(h.addrs.map(ipOf), wanted)) {
      const err = this.checkHolding(h, n);
      if (err) return { ok: false, error: err };
      return { ok: true, assignment: this.keep(h, n, false) };
    }
    return this.takeExact(n, wanted);
  }

  /** Frees the service's addresses (an address shared with others stays with them). */
  release(key: string): void {
    const h = this.holdings.get(key);
    if (!h) return;
    this.holdings.delete(key);
    for (const s of h.addrs) if (this.unlink(s, key)) this.free(s);
  }

  assignmentOf(key: string): Assignment | undefined {
    const h = this.holdings.get(key);
    return h && this.assignmentFor(h);
  }

  /** Every assignment, in the order they were made. */
  assignments(): Assignment[] {
    return [...this.holdings.values()].map((h) => this.assignmentFor(h));
  }

  /** Keys of the services holding an address (several when shared). */
  holdersOf(ip: string): string[] {
    const parsed = parseIp(ip);
    const s = parsed && this.table[parsed.family].get(parsed.value);
    return s ? s.holders.map((h) => h.key) : [];
  }

  /** Per pool and family: distinct addresses held, and addresses still free (avoid-buggy-ips applied). */
  usage(): PoolUsage[] {
    const out: PoolUsage[] = [];
    for (const p of this.compiled) {
      for (const family of FAMILIES) {
        const free = p.free[family];
        if (!free) continue;
        const assigned = p.assigned[family];
        out.push({ pool: p.name, family, assigned, available: free.capacity - BigInt(assigned) });
      }
    }
    return out;
  }

  /** The first pool (configuration order) that may hand out this address, as MetalLB's poolFor. */
  poolOf(ip: string): string | undefined {
    const parsed = parseIp(ip);
    if (!parsed) return undefined;
    return this.compiled.find((p) => poolAllows(p, parsed.family, parsed.value))?.name;
  }

  // ---- allocation ----

  private allocate(n: NormalizedRequest): AllocationResult {
    if (n.poolHint !== undefined) {
      const p = this.byName.get(n.poolHint);
      if (!p) return failure('NoSuchPool', `${n.key}: pool "${n.poolHint}" named by the address-pool annotation does not exist`);
      if (!poolServes(p, n)) return failure('PoolNotAllowed', whyNotServed(p, n));
      return this.allocateFrom(n, [p], true);
    }
    const candidates = this.order.filter((p) => poolServes(p, n));
    if (candidates.length === 0) {
      if (this.order.length === 0) {
        return failure('NoPoolAvailable', `${n.key}: no pool has autoAssign enabled; name one with the address-pool annotation or request an IP`);
      }
      return failure(
        'NoPoolAvailable',
        `${n.key}: none of the auto-assign pools (${listNames(this.order)}) serves namespace "${n.namespace}" and the service's labels (serviceAllocation)`,
      );
    }
    return this.allocateFrom(n, candidates, false);
  }

  /** Picks from the first pool that can serve the families, in the given order (MetalLB's findBestPoolForService). */
  private allocateFrom(n: NormalizedRequest, pools: readonly CompiledPool[], hinted: boolean): AllocationResult {
    const holder = holderOf(n);
    const primary = n.families[0] as Family;
    const secondary = n.families[1];
    if (n.mode === 'single' || secondary === undefined) {
      for (const p of pools) {
        const ip = this.pick(p, primary, holder);
        if (ip) return this.ok(this.take(n, p, [ip]));
      }
      const withFamily = pools.filter((p) => p.free[primary]);
      if (withFamily.length === 0) {
        return hinted
          ? failure('FamilyMismatch', `${n.key}: pool "${pools[0]?.name}" has no ${familyName(primary)} addresses, and the service is ${familyName(primary)}`)
          : failure('NoPoolAvailable', `${n.key}: no pool serving it has ${familyName(primary)} addresses (tried ${listNames(pools)})`);
      }
      return failure('PoolExhausted', `${n.key}: no free ${familyName(primary)} address left in pool ${listNames(withFamily)}`);
    }
    if (n.mode === 'require') {
      for (const p of pools) {
        const a = this.pick(p, primary, holder);
        const b = a && this.pick(p, secondary, holder);
        if (a && b) return this.ok(this.take(n, p, [a, b]));
      }
      const dual = pools.filter((p) => p.free.ipv4 && p.free.ipv6);
      if (dual.length === 0) {
        return failure(
          'DualStackUnavailable',
          hinted
            ? `${n.key}: pool "${pools[0]?.name}" does not have both IPv4 and IPv6 addresses, and the service is RequireDualStack`
            : `${n.key}: RequireDualStack, but no pool serving it has both IPv4 and IPv6 addresses (tried ${listNames(pools)})`,
        );
      }
      return failure(
        hinted ? 'PoolExhausted' : 'DualStackUnavailable',
        `${n.key}: RequireDualStack, but no dual-stack pool (${listNames(dual)}) has both a free IPv4 and a free IPv6 address`,
      );
    }
    // PreferDualStack: the first pool with both; else the first with the primary; else the secondary.
    let primaryOnly: [CompiledPool, Ip] | undefined;
    let secondaryOnly: [CompiledPool, Ip] | undefined;
    for (const p of pools) {
      const a = this.pick(p, primary, holder);
      const b = this.pick(p, secondary, holder);
      if (a && b) return this.ok(this.take(n, p, [a, b]));
      if (a && !primaryOnly) primaryOnly = [p, a];
      if (b && !secondaryOnly) secondaryOnly = [p, b];
    }
    const single = primaryOnly ?? secondaryOnly;
    if (single) return this.ok(this.take(n, single[0], [single[1]]));
    const withAny = pools.filter((p) => p.free[primary] || p.free[secondary]);
    if (withAny.length === 0) {
      return hinted
        ? failure('FamilyMismatch', `${n.key}: pool "${pools[0]?.name}" has neither IPv4 nor IPv6 addresses`)
        : failure('NoPoolAvailable', `${n.key}: no pool serving it has addresses (tried ${listNames(pools)})`);
    }
    return failure('PoolExhausted', `${n.key}: no free address left in pool ${listNames(withAny)}`);
  }

  /**
   * An address of the family from the pool for this holder: first an address already shared under the
   * holder's sharing key where it fits (MetalLB would find it too, scanning), else the lowest free one.
   */
  private pick(p: CompiledPool, family: Family, holder: Holder): Ip | undefined {
    const groupKey = sharingGroupOf(holder);
    const group = groupKey === undefined ? undefined : this.shared.get(groupKey);
    if (group && this.someMayFit(group.all.size, group.byPort, holder)) {
      let best: AddressState | undefined;
      for (const s of group.all) {
        if (s.family !== family || s.pool !== p.name || (best && best.value < s.value)) continue;
        if (!poolAllows(p, family, s.value) || !portsFree(s, holder)) continue;
        best = s;
      }
      if (best) return ipOf(best);
    }
    const free = p.free[family];
    const v = free?.lowestFree();
    return v === undefined ? undefined : { family, value: v };
  }

  /** False when every address of the group already uses one of the holder's ports (by someone else). */
  private someMayFit(size: number, byPort: Map<string, Set<AddressState>>, holder: Holder): boolean {
    const own = this.holdings.get(holder.key)?.addrs;
    for (const port of holder.ports) {
      const using = byPort.get(port);
      if (!using) continue;
      // On an address the holder itself holds, a port it uses is its own (ports never clash there).
      let byOthers = using.size;
      if (own) for (const s of own) if (using.has(s)) byOthers--;
      if (byOthers === size) return false;
    }
    return true;
  }

  /** Takes exactly these addresses (requested or restored) after checking them all. */
  private takeExact(n: NormalizedRequest, ips: readonly Ip[]): AllocationResult {
    const fit = this.checkFamilies(n, ips);
    if (fit) return { ok: false, error: fit };
    const pool = this.resolvePool(n, ips);
    if ('code' in pool) return { ok: false, error: pool };
    const err = this.checkTake(n, pool, ips);
    if (err) return { ok: false, error: err };
    this.release(n.key);
    return this.ok(this.take(n, pool, ips));
  }

  /** The pool that holds all of these addresses (the hinted one if given). */
  private resolvePool(n: NormalizedRequest, ips: readonly Ip[]): CompiledPool | AllocationError {
    const text = (ip: Ip): string => addressText(ip.family, ip.value);
    if (n.poolHint !== undefined) {
      const p = this.byName.get(n.poolHint);
      if (!p) return allocationError('NoSuchPool', `${n.key}: pool "${n.poolHint}" named by the address-pool annotation does not exist`);
      for (const ip of ips) {
        if (poolAllows(p, ip.family, ip.value)) continue;
        const where = this.compiled.find((c) => poolAllows(c, ip.family, ip.value));
        const buggy = p.free[ip.family]?.contains(ip.value) ? ` (it ends in .0 or .255 and the pool has avoidBuggyIPs)` : '';
        return allocationError(
          'RequestedIpNotInPool',
          `${n.key}: ${text(ip)} is not in pool "${p.name}" named by the address-pool annotation${buggy}${where ? `; it is in pool "${where.name}"` : ''}`,
        );
      }
      return p;
    }
    const common = this.compiled.filter((p) => ips.every((ip) => poolAllows(p, ip.family, ip.value)));
    if (common.length === 0) {
      for (const ip of ips) {
        if (this.compiled.some((p) => poolAllows(p, ip.family, ip.value))) continue;
        const avoiding = this.compiled.find((p) => p.free[ip.family]?.contains(ip.value));
        return allocationError(
          'RequestedIpNotInPool',
          avoiding
            ? `${n.key}: ${text(ip)} ends in .0 or .255 and pool "${avoiding.name}" has avoidBuggyIPs, so it is never handed out`
            : `${n.key}: ${text(ip)} is not in any address pool`,
        );
      }
      const where = ips.map((ip) => `${text(ip)} in pool "${this.compiled.find((p) => poolAllows(p, ip.family, ip.value))?.name}"`);
      return allocationError(
        'RequestedIpNotInPool',
        `${n.key}: ${where.join(' but ')}; a dual-stack service takes both addresses from one pool`,
      );
    }
    const held = ips.map((ip) => this.table[ip.family].get(ip.value)?.pool).find((x) => x !== undefined);
    return (
      common.find((p) => p.name === held && poolServes(p, n)) ??
      common.find((p) => poolServes(p, n)) ??
      (common[0] as CompiledPool)
    );
  }

  /** Whether the given addresses fit the service's families and policy. */
  private checkFamilies(n: NormalizedRequest, ips: readonly Ip[]): AllocationError | undefined {
    const wanted = n.families.map(familyName).join(', ');
    for (const ip of ips) {
      if (!n.families.includes(ip.family)) {
        return allocationError(
          'FamilyMismatch',
          `${n.key}: ${addressText(ip.family, ip.value)} is ${familyName(ip.family)} but the service's ipFamilies are [${wanted}]`,
        );
      }
    }
    if (n.mode === 'require' && ips.length < 2) {
      return allocationError('FamilyMismatch', `${n.key}: RequireDualStack needs one IPv4 and one IPv6 address, got only ${ips.map((ip) => addressText(ip.family, ip.value)).join(', ')}`);
    }
    return undefined;
  }

  /** Everything but the families: the pool may hand them out, serves the service, matches the hint, sharing. */
  private checkTake(n: NormalizedRequest, p: CompiledPool, ips: readonly Ip[]): AllocationError | undefined {
    for (const ip of ips) {
      if (!poolAllows(p, ip.family, ip.value)) {
        return allocationError('RequestedIpNotInPool', `${n.key}: ${addressText(ip.family, ip.value)} is no longer in pool "${p.name}"`);
      }
    }
    if (!poolServes(p, n)) return allocationError('PoolNotAllowed', whyNotServed(p, n));
    if (n.poolHint !== undefined && p.name !== n.poolHint) {
      return allocationError('RequestedIpNotInPool', `${n.key}: its addresses are in pool "${p.name}", not in pool "${n.poolHint}" named by the address-pool annotation`);
    }
    const holder = holderOf(n);
    for (const ip of ips) {
      const s = this.table[ip.family].get(ip.value);
      const err = s && checkSharing(s, holder);
      if (err) return err;
    }
    return undefined;
  }

  /** Why the service's current holding is no longer valid for this request, or undefined if it is. */
  private checkHolding(h: Holding, n: NormalizedRequest): AllocationError | undefined {
    const ips = h.addrs.map(ipOf);
    if (n.requested.length > 0 && !sameIps(n.requested, ips)) {
      return allocationError('RequestedIpChanged', `${n.key}: holds ${h.addrs.map((s) => s.text).join(', ')} but requests ${n.requestedText.join(', ')}`);
    }
    const p = this.byName.get(h.pool);
    if (!p) return allocationError('NoSuchPool', `${n.key}: pool "${h.pool}" is gone`);
    if (n.mode === 'single' && (ips.length !== 1 || ips[0]?.family !== n.families[0])) {
      return allocationError('FamilyMismatch', `${n.key}: holds ${h.addrs.map((s) => s.text).join(', ')}, not one ${familyName(n.families[0] as Family)} address`);
    }
    return this.checkFamilies(n, ips) ?? this.checkTake(n, p, ips);
  }

  /** Keeps the holding, re-registering ports and sharing data from the new request. */
  private keep(h: Holding, n: NormalizedRequest, addMissingFamily: boolean): Assignment {
    const holder = holderOf(n);
    for (const s of h.addrs) {
      this.unlink(s, n.key);
      this.link(s, holder);
    }
    h.req = n;
    const first = h.addrs[0];
    if (addMissingFamily && n.mode === 'prefer' && h.addrs.length === 1 && first && n.requested.length === 0) {
      const missing = n.families.find((f) => f !== first.family);
      const p = this.byName.get(h.pool);
      const ip = missing && p && this.pick(p, missing, holder);
      if (ip) h.addrs.push(this.acquire(ip, p.name, holder));
    }
    // Primary family first, as the request now says (ipFamilies order may have changed).
    const rank = (s: AddressState): number => n.families.indexOf(s.family);
    if (h.addrs.length === 2 && rank(h.addrs[0] as AddressState) > rank(h.addrs[1] as AddressState)) h.addrs.reverse();
    return this.assignmentFor(h);
  }

  private take(n: NormalizedRequest, p: CompiledPool, ips: readonly Ip[]): Assignment {
    const holder = holderOf(n);
    const addrs = ips.map((ip) => this.acquire(ip, p.name, holder));
    const h: Holding = { req: n, pool: p.name, addrs };
    this.holdings.set(n.key, h);
    return this.assignmentFor(h);
  }

  private acquire(ip: Ip, pool: string, holder: Holder): AddressState {
    const map = this.table[ip.family];
    let s = map.get(ip.value);
    if (!s) {
      s = newAddressState(ip.family, ip.value, addressText(ip.family, ip.value), pool);
      map.set(ip.value, s);
      const p = this.byName.get(pool);
      if (p) p.assigned[ip.family]++;
    }
    this.link(s, holder);
    return s;
  }

  private ok(assignment: Assignment): AllocationResult {
    return { ok: true, assignment };
  }

  private assignmentFor(h: Holding): Assignment {
    return { key: h.req.key, pool: h.pool, ips: h.addrs.map((s) => s.text) };
  }

  // ---- bookkeeping ----

  private link(s: AddressState, holder: Holder): void {
    this.shared.remove(s);
    attachHolder(s, holder);
    this.shared.add(s);
  }

  /** Returns true when the address has no holder left (the caller frees it). */
  private unlink(s: AddressState, key: string): boolean {
    this.shared.remove(s);
    const empty = detachHolder(s, key);
    this.shared.add(s);
    return empty;
  }

  private free(s: AddressState): void {
    this.table[s.family].delete(s.value);
    const own = this.byName.get(s.pool);
    if (own) own.assigned[s.family]--;
    for (const p of this.compiled) p.free[s.family]?.release(s.value);
  }
}
