// What the kernel holds once a plan was applied, computed on the model (pure): the syncer keeps this as
// its view between reads of the kernel, and tests check that planning again from it finds nothing to do.
import type { Plan } from './diff.ts';
import { realKey, vsKeyOf } from './keys.ts';
import type { IpvsService, KernelState } from './types.ts';

export function cloneState(s: KernelState): KernelState {
  return {
    addresses: new Map(s.addresses),
    services: new Map([...s.services].map(([k, v]) => [k, { vs: v.vs, reals: new Map(v.reals) }])),
    sets: new Map([...s.sets].map(([k, v]) => [k, { ...v, entries: new Set(v.entries) }])),
  };
}

/** Applies `plan` to `state` in place and returns it. */
export function applyPlan(state: KernelState, plan: Plan): KernelState {
  for (const spec of plan.createSets)
    if (!state.sets.has(spec.name)) state.sets.set(spec.name, { ...spec, entries: new Set() });
  for (const a of plan.addAddresses) state.addresses.set(a.address, { ...a, owned: true });
  for (const c of plan.ipvs) {
    const key = vsKeyOf(c.vs);
    switch (c.op) {
      case 'add-service':
        state.services.set(key, { vs: c.vs, reals: new Map() });
        break;
      case 'edit-service': {
        const s = state.services.get(key);
        if (s) state.services.set(key, { vs: c.vs, reals: s.reals });
        break;
      }
      case 'del-service':
        state.services.delete(key);
        break;
      case 'add-real':
      case 'edit-real': {
        const s: IpvsService | undefined = state.services.get(key);
        const prev = s?.reals.get(realKey(c.real.address, c.real.port));
        // Connection counts are the kernel's; keep what was last read.
        s?.reals.set(realKey(c.real.address, c.real.port), {
          ...c.real,
          activeConns: prev?.activeConns,
          inactiveConns: prev?.inactiveConns,
        });
        break;
      }
      case 'del-real':
        state.services.get(key)?.reals.delete(realKey(c.real.address, c.real.port));
        break;
    }
  }
  for (const m of plan.ipsetAdd) state.sets.get(m.set)?.entries.add(m.entry);
  for (const m of plan.ipsetDel) state.sets.get(m.set)?.entries.delete(m.entry);
  for (const a of plan.delAddresses) state.addresses.delete(a.address);
  return state;
}
