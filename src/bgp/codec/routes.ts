// What an UPDATE means for a RIB: prefixes reachable (with their attributes) and prefixes withdrawn,
// across the IPv4 fields and MP_REACH/MP_UNREACH_NLRI, after RFC 7606 treat-as-withdraw.
import type { PathAttribute, Prefix, Update } from './model.ts';

export interface UpdateRoutes {
  /** Reachable prefixes; empty when treat-as-withdraw applies. */
  announced: Prefix[];
  /** Withdrawn prefixes, including announced ones turned into withdrawals by treat-as-withdraw. */
  withdrawn: Prefix[];
  /** The attributes that apply to `announced` (without MP_REACH/MP_UNREACH_NLRI). */
  attributes: PathAttribute[];
}

export function updateRoutes(u: Update): UpdateRoutes {
  const announced: Prefix[] = [...u.nlri];
  const withdrawn: Prefix[] = [...u.withdrawn];
  const attributes: PathAttribute[] = [];
  for (const a of u.attributes) {
    if (a.type === 'MP_REACH_NLRI') announced.push(...a.nlri);
    else if (a.type === 'MP_UNREACH_NLRI') withdrawn.push(...a.withdrawn);
    else attributes.push(a);
  }
  if (u.treatAsWithdraw) return { announced: [], withdrawn: [...withdrawn, ...announced], attributes };
  return { announced, withdrawn, attributes };
}

/** The strongest RFC 7606 approach applied to a decoded UPDATE (for logs and metrics), if any. */
export function appliedHandling(u: Update): 'treat-as-withdraw' | 'attribute-discard' | undefined {
  if (u.treatAsWithdraw) return 'treat-as-withdraw';
  if ((u.errors?.length ?? 0) > 0 || (u.discarded?.length ?? 0) > 0) return 'attribute-discard';
  return undefined;
}
