// Allocating addresses the service did not name: which pools may serve it (address-pool annotation,
// autoAssign, serviceAllocation), then the first pool with free addresses for its families, as
// MetalLB's findBestPoolForService. Within a pool, an address already shared under the service's
// sharing key is preferred, else the lowest free one (free-addresses.ts: no scan from the start).
import type { Family } from '../net/family.ts';
import type { Ip } from '../net/ip.ts';
import { holderOf, ipOf, ok, take, type AllocatorState } from './allocator-state.ts';
import { poolAllows, poolServes, whyNotServed, type CompiledPool } from './compiled-pool.ts';
import { failure, familyName } from './errors.ts';
import type { NormalizedRequest } from './request.ts';
import { portsFree, sharingGroupOf, type AddressState, type Holder } from './sharing.ts';
import type { AllocationResult } from './types.ts';

export function listNames(pools: readonly CompiledPool[]): string {
  return pools.map((p) => `"${p.name}"`).join(', ');
}

/** Chooses the candidate pools (the hinted one, else the auto-assign pools serving the service) and allocates. */
export function allocate(st: AllocatorState, n: NormalizedRequest): AllocationResult {
  if (n.poolHint !== undefined) {
    const p = st.byName.get(n.poolHint);
    if (!p)
      return failure(
        'NoSuchPool',
        `${n.key}: pool "${n.poolHint}" named by the address-pool annotation does not exist`,
      );
    if (!poolServes(p, n)) return failure('PoolNotAllowed', whyNotServed(p, n));
    return allocateFrom(st, n, [p], true);
  }
  const candidates = st.order.filter((p) => poolServes(p, n));
  if (candidates.length === 0) {
    if (st.order.length === 0) {
      return failure(
        'NoPoolAvailable',
        `${n.key}: no pool has autoAssign enabled; name one with the address-pool annotation or request an IP`,
      );
    }
    return failure(
      'NoPoolAvailable',
      `${n.key}: none of the auto-assign pools (${listNames(st.order)}) serves namespace "${n.namespace}" and the service's labels (serviceAllocation)`,
    );
  }
  return allocateFrom(st, n, candidates, false);
}

/** Picks from the first pool that can serve the families, in the given order (MetalLB's findBestPoolForService). */
export function allocateFrom(
  st: AllocatorState,
  n: NormalizedRequest,
  pools: readonly CompiledPool[],
  hinted: boolean,
): AllocationResult {
  const holder = holderOf(n);
  const primary = n.families[0] as Family;
  const secondary = n.families[1];
  if (n.mode === 'single' || secondary === undefined) {
    for (const p of pools) {
      const ip = pick(st, p, primary, holder);
      if (ip) return ok(take(st, n, p, [ip]));
    }
    const withFamily = pools.filter((p) => p.free[primary]);
    if (withFamily.length === 0) {
      return hinted
        ? failure(
            'FamilyMismatch',
            `${n.key}: pool "${pools[0]?.name}" has no ${familyName(primary)} addresses, and the service is ${familyName(primary)}`,
          )
        : failure(
            'NoPoolAvailable',
            `${n.key}: no pool serving it has ${familyName(primary)} addresses (tried ${listNames(pools)})`,
          );
    }
    return failure(
      'PoolExhausted',
      `${n.key}: no free ${familyName(primary)} address left in pool ${listNames(withFamily)}`,
    );
  }
  if (n.mode === 'require') {
    for (const p of pools) {
      const a = pick(st, p, primary, holder);
      const b = a && pick(st, p, secondary, holder);
      if (a && b) return ok(take(st, n, p, [a, b]));
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
    const a = pick(st, p, primary, holder);
    const b = pick(st, p, secondary, holder);
    if (a && b) return ok(take(st, n, p, [a, b]));
    if (a && !primaryOnly) primaryOnly = [p, a];
    if (b && !secondaryOnly) secondaryOnly = [p, b];
  }
  const single = primaryOnly ?? secondaryOnly;
  if (single) return ok(take(st, n, single[0], [single[1]]));
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
export function pick(st: AllocatorState, p: CompiledPool, family: Family, holder: Holder): Ip | undefined {
  const groupKey = sharingGroupOf(holder);
  const group = groupKey === undefined ? undefined : st.shared.get(groupKey);
  if (group && someMayFit(st, group.all.size, group.byPort, holder)) {
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
function someMayFit(st: AllocatorState, size: number, byPort: Map<string, Set<AddressState>>, holder: Holder): boolean {
  const own = st.holdings.get(holder.key)?.addrs;
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
