// RFC 4271 §5 / §9.1.2: when a route is passed on, unrecognized optional transitive attributes are kept
// with the Partial bit set; unrecognized optional non-transitive attributes are dropped.
import { AttributeFlag } from '../constants.ts';
import type { PathAttribute } from '../model.ts';

export function forReadvertisement(attrs: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.type !== 'UNKNOWN') out.push(a);
    else if (a.flags & AttributeFlag.Transitive) out.push({ ...a, flags: a.flags | AttributeFlag.Partial });
  }
  return out;
}
