// The part of two kernel states a quick build marked dirty (pure): the named virtual servers, addresses and
// set members, from both sides, and every set (empty but for those members) so the diff creates none that
// exists. Diffing these gives the same plan as diffing everything when the rest is known to agree (the
// syncer's model after a complete apply, with nothing draining).
import type { DesiredDirty } from './desired-memo.ts';
import type { KernelState } from './types.ts';
import { emptyKernelState } from './types.ts';

export function restrictState(state: KernelState, dirty: DesiredDirty): KernelState {
  const out = emptyKernelState();
  for (const k of dirty.vsKeys) {
    const s = state.services.get(k);
    if (s) out.services.set(k, s);
  }
  for (const a of dirty.addresses) {
    const e = state.addresses.get(a);
    if (e) out.addresses.set(a, e);
  }
  for (const [name, set] of state.sets)
    out.sets.set(name, { name, type: set.type, family: set.family, entries: new Set() });
  for (const m of dirty.members)
    if (state.sets.get(m.set)?.entries.has(m.entry)) out.sets.get(m.set)!.entries.add(m.entry);
  return out;
}
