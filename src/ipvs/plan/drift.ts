// Differences between the desired state and what the kernel holds, as readable lines; a real server at
// weight 0 that is no longer desired is draining, not drift, and is counted apart.
import type { KernelState } from './types.ts';

export interface Drift {
  lines: string[];
  draining: number;
}

export function driftOf(desired: KernelState, observed: KernelState): Drift {
  const lines: string[] = [];
  let draining = 0;
  for (const a of desired.addresses.keys()) if (!observed.addresses.has(a)) lines.push(`missing address ${a}`);
  for (const [a, e] of observed.addresses) if (e.owned && !desired.addresses.has(a)) lines.push(`extra address ${a}`);
  for (const [k, want] of desired.services) {
    const have = observed.services.get(k);
    if (!have) {
      lines.push(`missing virtual server ${k}`);
      continue;
    }
    if (have.vs.scheduler !== want.vs.scheduler || (have.vs.persistence ?? 0) !== (want.vs.persistence ?? 0)) {
      lines.push(
        `virtual server ${k}: ${have.vs.scheduler}/${have.vs.persistence ?? '-'}, want ${want.vs.scheduler}/${want.vs.persistence ?? '-'}`,
      );
    }
    for (const [rk, r] of want.reals) {
      const h = have.reals.get(rk);
      if (!h) lines.push(`missing real server ${k} -> ${rk}`);
      else if (h.weight !== r.weight) lines.push(`real server ${k} -> ${rk}: weight ${h.weight}, want ${r.weight}`);
    }
    for (const [rk, h] of have.reals) {
      if (want.reals.has(rk)) continue;
      if (h.weight === 0) draining++;
      else lines.push(`extra real server ${k} -> ${rk} (weight ${h.weight})`);
    }
  }
  for (const [k, have] of observed.services) {
    if (!desired.services.has(k) && observed.addresses.get(have.vs.address)?.owned)
      lines.push(`extra virtual server ${k}`);
  }
  for (const [name, want] of desired.sets) {
    const have = observed.sets.get(name);
    if (!have) {
      lines.push(`missing set ${name}`);
      continue;
    }
    for (const e of want.entries) if (!have.entries.has(e)) lines.push(`missing member ${name} ${e}`);
    for (const e of have.entries) if (!want.entries.has(e)) lines.push(`extra member ${name} ${e}`);
  }
  return { lines, draining };
}
