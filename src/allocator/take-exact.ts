// Taking exactly the addresses a service names (spec.loadBalancerIP(s) / the address annotation) or
// already holds in its status, and the checks that decide whether it may: the addresses fit its
// families, one pool contains them all and serves it, the address-pool annotation agrees, and the
// sharing rules allow it. The same checks decide whether a service may keep what it holds.
import type { Family } from '../net/family.ts';
import { formatIp, type Ip } from '../net/ip.ts';
import { holderOf, ipOf, ok, releaseHolding, take, type AllocatorState, type Holding } from './allocator-state.ts';
import { poolAllows, poolServes, whyNotServed, type CompiledPool } from './compiled-pool.ts';
import { allocationError, familyName } from './errors.ts';
import type { NormalizedRequest } from './request.ts';
import { checkSharing } from './sharing.ts';
import type { AllocationError, AllocationResult } from './types.ts';

/** The same addresses, in any order. */
export function sameIps(a: readonly Ip[], b: readonly Ip[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => y.family === x.family && y.value === x.value));
}

/** Takes exactly these addresses (requested or restored) after checking them all. */
export function takeExact(st: AllocatorState, n: NormalizedRequest, ips: readonly Ip[]): AllocationResult {
  const fit = checkFamilies(n, ips);
  if (fit) return { ok: false, error: fit };
  const pool = resolvePool(st, n, ips);
  if ('code' in pool) return { ok: false, error: pool };
  const err = checkTake(st, n, pool, ips);
  if (err) return { ok: false, error: err };
  releaseHolding(st, n.key);
  return ok(take(st, n, pool, ips));
}

/** The pool that holds all of these addresses (the hinted one if given). */
export function resolvePool(
  st: AllocatorState,
  n: NormalizedRequest,
  ips: readonly Ip[],
): CompiledPool | AllocationError {
  const text = (ip: Ip): string => formatIp(ip.family, ip.value);
  if (n.poolHint !== undefined) {
    const p = st.byName.get(n.poolHint);
    if (!p)
      return allocationError(
        'NoSuchPool',
        `${n.key}: pool "${n.poolHint}" named by the address-pool annotation does not exist`,
      );
    for (const ip of ips) {
      if (poolAllows(p, ip.family, ip.value)) continue;
      const where = st.compiled.find((c) => poolAllows(c, ip.family, ip.value));
      const buggy = p.free[ip.family]?.contains(ip.value)
        ? ` (it ends in .0 or .255 and the pool has avoidBuggyIPs)`
        : '';
      return allocationError(
        'RequestedIpNotInPool',
        `${n.key}: ${text(ip)} is not in pool "${p.name}" named by the address-pool annotation${buggy}${where ? `; it is in pool "${where.name}"` : ''}`,
      );
    }
    return p;
  }
  const common = st.compiled.filter((p) => ips.every((ip) => poolAllows(p, ip.family, ip.value)));
  if (common.length === 0) {
    for (const ip of ips) {
      if (st.compiled.some((p) => poolAllows(p, ip.family, ip.value))) continue;
      const avoiding = st.compiled.find((p) => p.free[ip.family]?.contains(ip.value));
      return allocationError(
        'RequestedIpNotInPool',
        avoiding
          ? `${n.key}: ${text(ip)} ends in .0 or .255 and pool "${avoiding.name}" has avoidBuggyIPs, so it is never handed out`
          : `${n.key}: ${text(ip)} is not in any address pool`,
      );
    }
    const where = ips.map(
      (ip) => `${text(ip)} in pool "${st.compiled.find((p) => poolAllows(p, ip.family, ip.value))?.name}"`,
    );
    return allocationError(
      'RequestedIpNotInPool',
      `${n.key}: ${where.join(' but ')}; a dual-stack service takes both addresses from one pool`,
    );
  }
  const held = ips.map((ip) => st.table[ip.family].get(ip.value)?.pool).find((x) => x !== undefined);
  return (
    common.find((p) => p.name === held && poolServes(p, n)) ??
    common.find((p) => poolServes(p, n)) ??
    (common[0] as CompiledPool)
  );
}

/** Whether the given addresses fit the service's families and policy. */
export function checkFamilies(n: NormalizedRequest, ips: readonly Ip[]): AllocationError | undefined {
  const wanted = n.families.map(familyName).join(', ');
  for (const ip of ips) {
    if (!n.families.includes(ip.family)) {
      return allocationError(
        'FamilyMismatch',
        `${n.key}: ${formatIp(ip.family, ip.value)} is ${familyName(ip.family)} but the service's ipFamilies are [${wanted}]`,
      );
    }
  }
  if (n.mode === 'require' && ips.length < 2) {
    return allocationError(
      'FamilyMismatch',
      `${n.key}: RequireDualStack needs one IPv4 and one IPv6 address, got only ${ips.map((ip) => formatIp(ip.family, ip.value)).join(', ')}`,
    );
  }
  return undefined;
}

/** Everything but the families: the pool may hand them out, serves the service, matches the hint, sharing. */
export function checkTake(
  st: AllocatorState,
  n: NormalizedRequest,
  p: CompiledPool,
  ips: readonly Ip[],
): AllocationError | undefined {
  for (const ip of ips) {
    if (!poolAllows(p, ip.family, ip.value)) {
      return allocationError(
        'RequestedIpNotInPool',
        `${n.key}: ${formatIp(ip.family, ip.value)} is no longer in pool "${p.name}"`,
      );
    }
  }
  if (!poolServes(p, n)) return allocationError('PoolNotAllowed', whyNotServed(p, n));
  if (n.poolHint !== undefined && p.name !== n.poolHint) {
    return allocationError(
      'RequestedIpNotInPool',
      `${n.key}: its addresses are in pool "${p.name}", not in pool "${n.poolHint}" named by the address-pool annotation`,
    );
  }
  const holder = holderOf(n);
  for (const ip of ips) {
    const s = st.table[ip.family].get(ip.value);
    const err = s && checkSharing(s, holder);
    if (err) return err;
  }
  return undefined;
}

/** Why the service's current holding is no longer valid for this request, or undefined if it is. */
export function checkHolding(st: AllocatorState, h: Holding, n: NormalizedRequest): AllocationError | undefined {
  const ips = h.addrs.map(ipOf);
  if (n.requested.length > 0 && !sameIps(n.requested, ips)) {
    return allocationError(
      'RequestedIpChanged',
      `${n.key}: holds ${h.addrs.map((s) => s.text).join(', ')} but requests ${n.requestedText.join(', ')}`,
    );
  }
  const p = st.byName.get(h.pool);
  if (!p) return allocationError('NoSuchPool', `${n.key}: pool "${h.pool}" is gone`);
  if (n.mode === 'single' && (ips.length !== 1 || ips[0]?.family !== n.families[0])) {
    return allocationError(
      'FamilyMismatch',
      `${n.key}: holds ${h.addrs.map((s) => s.text).join(', ')}, not one ${familyName(n.families[0] as Family)} address`,
    );
  }
  return checkFamilies(n, ips) ?? checkTake(st, n, p, ips);
}
