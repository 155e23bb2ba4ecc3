// What the allocator knows, as one plain object, and the bookkeeping on it: the per-address state table
// (every held address, per family), which service holds what (holdings), and the index of shared
// addresses. Every change of an address's holders goes through link/unlink so the sharing index stays
// right; an address with no holder left is freed back to the pools.
import type { Family } from '../net/family.ts';
import { formatIp, type Ip } from '../net/ip.ts';
import type { CompiledPool } from './compiled-pool.ts';
import type { NormalizedRequest } from './request.ts';
import { attachHolder, detachHolder, newAddressState, type AddressState, type Holder } from './sharing.ts';
import { SharingIndex } from './sharing-index.ts';
import type { AllocationResult, Assignment } from './types.ts';

export interface Holding {
  req: NormalizedRequest;
  pool: string;
  /** One per family, primary family first. */
  addrs: AddressState[];
}

export interface AllocatorState {
  /** Pools in configuration order. */
  compiled: CompiledPool[];
  byName: Map<string, CompiledPool>;
  /** Pools with autoAssign, in the order they are tried. */
  order: CompiledPool[];
  /** Every held address, per family (bigint keys of the two families would collide in one map). */
  readonly table: Record<Family, Map<bigint, AddressState>>;
  /** Whether an address is held: the pools' free structures ask this. */
  readonly isTaken: Record<Family, (v: bigint) => boolean>;
  readonly holdings: Map<string, Holding>;
  /** Shared addresses by sharing key + backend (for preferring an already shared address). */
  readonly shared: SharingIndex;
}

export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export function newAllocatorState(): AllocatorState {
  const table: Record<Family, Map<bigint, AddressState>> = { ipv4: new Map(), ipv6: new Map() };
  return {
    compiled: [],
    byName: new Map(),
    order: [],
    table,
    isTaken: { ipv4: (v) => table.ipv4.has(v), ipv6: (v) => table.ipv6.has(v) },
    holdings: new Map(),
    shared: new SharingIndex(),
  };
}

/** A NormalizedRequest carries key, sharingKey, backend and ports: it is its own Holder. */
export function holderOf(n: NormalizedRequest): Holder {
  return n;
}

export function ipOf(s: AddressState): Ip {
  return { family: s.family, value: s.value };
}

export function ok(assignment: Assignment): AllocationResult {
  return { ok: true, assignment };
}

export function assignmentFor(h: Holding): Assignment {
  return { key: h.req.key, pool: h.pool, ips: h.addrs.map((s) => s.text) };
}

/** Records that the service holds exactly these addresses from the pool. */
export function take(st: AllocatorState, n: NormalizedRequest, p: CompiledPool, ips: readonly Ip[]): Assignment {
  const holder = holderOf(n);
  const addrs = ips.map((ip) => acquire(st, ip, p.name, holder));
  const h: Holding = { req: n, pool: p.name, addrs };
  st.holdings.set(n.key, h);
  return assignmentFor(h);
}

/** Adds the holder to the address, entering it in the table (and the pool's count) if it was free. */
export function acquire(st: AllocatorState, ip: Ip, pool: string, holder: Holder): AddressState {
  const map = st.table[ip.family];
  let s = map.get(ip.value);
  if (!s) {
    s = newAddressState(ip.family, ip.value, formatIp(ip.family, ip.value), pool);
    map.set(ip.value, s);
    const p = st.byName.get(pool);
    if (p) p.assigned[ip.family]++;
  }
  link(st, s, holder);
  return s;
}

export function link(st: AllocatorState, s: AddressState, holder: Holder): void {
  st.shared.remove(s);
  attachHolder(s, holder);
  st.shared.add(s);
}

/** Returns true when the address has no holder left (the caller frees it). */
export function unlink(st: AllocatorState, s: AddressState, key: string): boolean {
  st.shared.remove(s);
  const empty = detachHolder(s, key);
  st.shared.add(s);
  return empty;
}

/** Removes a holderless address from the table and hands it back to every pool containing it. */
export function free(st: AllocatorState, s: AddressState): void {
  st.table[s.family].delete(s.value);
  const own = st.byName.get(s.pool);
  if (own) own.assigned[s.family]--;
  for (const p of st.compiled) p.free[s.family]?.release(s.value);
}

/** Frees the service's addresses (an address shared with others stays with them). */
export function releaseHolding(st: AllocatorState, key: string): void {
  const h = st.holdings.get(key);
  if (!h) return;
  st.holdings.delete(key);
  for (const s of h.addrs) if (unlink(st, s, key)) free(st, s);
}
