// The smallest set of changes from the observed kernel state to the desired one (pure). Ownership: only
// what sits on FerroLB's dummy interface (an owned address) or is desired now is ever changed or removed —
// virtual servers, real servers and ipset members of any other address are left alone; nothing is flushed.
// Graceful termination: a real server that is no longer desired gets weight 0 and stays until its
// connections (active + inactive) reach 0 or the drain timeout passes, counted from when this syncer first
// saw it draining (after a restart the count starts again: a restart can only drain longer, never cut).
import { allSetSpecs } from './ipsets.ts';
import { drainKey, vsKeyOf } from './keys.ts';
import type { AddressEntry, IpsetSpec, KernelState, RealServer, VirtualServer } from './types.ts';

export type IpvsChange =
  | { op: 'add-service'; vs: VirtualServer }
  | { op: 'edit-service'; vs: VirtualServer; from: VirtualServer }
  | { op: 'del-service'; vs: VirtualServer }
  | { op: 'add-real'; vs: VirtualServer; real: RealServer }
  | { op: 'edit-real'; vs: VirtualServer; real: RealServer; fromWeight: number; reason: 'drain' | 'weight' }
  | { op: 'del-real'; vs: VirtualServer; real: RealServer; reason: 'drained' | 'drain-timeout' };

export interface SetMember {
  set: string;
  entry: string;
}

export interface PlanInput {
  desired: KernelState;
  observed: KernelState;
  /** drainKey → monotonic ms when draining started, as returned by the previous plan. */
  draining: ReadonlyMap<string, number>;
  now: number;
  drainTimeoutMs: number;
}

export interface Plan {
  createSets: IpsetSpec[];
  addAddresses: AddressEntry[];
  ipvs: IpvsChange[];
  ipsetAdd: SetMember[];
  ipsetDel: SetMember[];
  delAddresses: AddressEntry[];
  /** Real servers still draining after this plan, for the next one. */
  draining: Map<string, number>;
  /** Draining real servers whose connection counts were unknown (need `ipvsadm -Ln` to finish). */
  drainingWithoutCounts: number;
  /** When the earliest drain timeout passes (monotonic ms), if anything is draining. */
  nextDrainDeadline?: number;
}

export function planSize(p: Plan): number {
  return (
    p.createSets.length +
    p.addAddresses.length +
    p.ipvs.length +
    p.ipsetAdd.length +
    p.ipsetDel.length +
    p.delAddresses.length
  );
}

function sameVs(a: VirtualServer, b: VirtualServer): boolean {
  return a.scheduler === b.scheduler && (a.persistence ?? 0) === (b.persistence ?? 0);
}

/** The address a set member is about (its first field). */
function memberAddress(entry: string): string {
  return entry.slice(0, entry.indexOf(','));
}

export function planChanges(input: PlanInput): Plan {
  const { desired, observed, now, drainTimeoutMs } = input;
  const mayTouch = (address: string): boolean =>
    desired.addresses.has(address) || observed.addresses.get(address)?.owned === true;
  const plan: Plan = {
    createSets: [],
    addAddresses: [],
    ipvs: [],
    ipsetAdd: [],
    ipsetDel: [],
    delAddresses: [],
    draining: new Map(),
    drainingWithoutCounts: 0,
  };
  // Every set is created up front (the firewall rules name them all), never destroyed.
  for (const spec of allSetSpecs()) if (!observed.sets.has(spec.name)) plan.createSets.push(spec);
  for (const [addr, a] of desired.addresses) if (!observed.addresses.has(addr)) plan.addAddresses.push(a);
  for (const [addr, a] of observed.addresses) if (a.owned && !desired.addresses.has(addr)) plan.delAddresses.push(a);

  const addsAndEdits: IpvsChange[] = [];
  const realDels: IpvsChange[] = [];
  const serviceDels: IpvsChange[] = [];
  for (const [key, want] of desired.services) {
    const have = observed.services.get(key);
    if (!have) {
      addsAndEdits.push({ op: 'add-service', vs: want.vs });
      for (const real of want.reals.values()) addsAndEdits.push({ op: 'add-real', vs: want.vs, real });
      continue;
    }
    if (!sameVs(want.vs, have.vs)) addsAndEdits.push({ op: 'edit-service', vs: want.vs, from: have.vs });
    for (const [rk, real] of want.reals) {
      const cur = have.reals.get(rk);
      if (!cur) addsAndEdits.push({ op: 'add-real', vs: want.vs, real });
      else if (cur.weight !== real.weight) {
        addsAndEdits.push({ op: 'edit-real', vs: want.vs, real, fromWeight: cur.weight, reason: 'weight' });
      }
    }
    for (const [rk, cur] of have.reals) {
      if (want.reals.has(rk)) continue;
      const dk = drainKey(key, rk);
      const started = input.draining.get(dk) ?? now;
      const known = cur.activeConns !== undefined && cur.inactiveConns !== undefined;
      if (known && cur.activeConns! + cur.inactiveConns! === 0) {
        realDels.push({ op: 'del-real', vs: have.vs, real: cur, reason: 'drained' });
      } else if (now - started >= drainTimeoutMs) {
        realDels.push({ op: 'del-real', vs: have.vs, real: cur, reason: 'drain-timeout' });
      } else {
        if (cur.weight !== 0) {
          addsAndEdits.push({
            op: 'edit-real',
            vs: have.vs,
            real: { ...cur, weight: 0 },
            fromWeight: cur.weight,
            reason: 'drain',
          });
        }
        plan.draining.set(dk, started);
        if (!known) plan.drainingWithoutCounts++;
        const deadline = started + drainTimeoutMs;
        if (plan.nextDrainDeadline === undefined || deadline < plan.nextDrainDeadline)
          plan.nextDrainDeadline = deadline;
      }
    }
  }
  for (const [key, have] of observed.services) {
    if (desired.services.has(key) || !mayTouch(have.vs.address)) continue;
    serviceDels.push({ op: 'del-service', vs: have.vs });
  }
  plan.ipvs = [...addsAndEdits, ...realDels, ...serviceDels];

  for (const [name, want] of desired.sets) {
    const have = observed.sets.get(name);
    for (const entry of want.entries) if (!have?.entries.has(entry)) plan.ipsetAdd.push({ set: name, entry });
  }
  for (const [name, have] of observed.sets) {
    const want = desired.sets.get(name);
    for (const entry of have.entries) {
      if (!want?.entries.has(entry) && mayTouch(memberAddress(entry))) plan.ipsetDel.push({ set: name, entry });
    }
  }
  return plan;
}

/** A one-line description of a change, for logs and `ferrolb ipvs` output. */
export function describeIpvsChange(c: IpvsChange): string {
  const vs = `${vsKeyOf(c.vs)}`;
  switch (c.op) {
    case 'add-service':
    case 'edit-service':
      return `${c.op} ${vs} scheduler=${c.vs.scheduler}${c.vs.persistence !== undefined ? ` persistent=${c.vs.persistence}s` : ''}`;
    case 'del-service':
      return `del-service ${vs}`;
    case 'add-real':
      return `add-real ${vs} -> ${realId(c.real)} weight=${c.real.weight}`;
    case 'edit-real':
      return `${c.reason === 'drain' ? 'drain-real' : 'edit-real'} ${vs} -> ${realId(c.real)} weight=${c.fromWeight}→${c.real.weight}`;
    case 'del-real':
      return `del-real ${vs} -> ${realId(c.real)} (${c.reason})`;
  }
}

function realId(r: RealServer): string {
  return r.address.includes(':') ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
}

/** Lines describing every change of a plan, in apply order. */
export function describePlan(p: Plan): string[] {
  return [
    ...p.createSets.map((s) => `create-set ${s.name} ${s.type} ${s.family}`),
    ...p.addAddresses.map((a) => `add-address ${a.address}`),
    ...p.ipvs.map(describeIpvsChange),
    ...p.ipsetAdd.map((m) => `add-member ${m.set} ${m.entry}`),
    ...p.ipsetDel.map((m) => `del-member ${m.set} ${m.entry}`),
    ...p.delAddresses.map((a) => `del-address ${a.address}`),
  ];
}
