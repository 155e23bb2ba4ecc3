// Community (metallb.io/v1beta1): named aliases for BGP communities, usable in BGPAdvertisements.
import { parseCommunity } from './community.ts';
import type { CrdObject } from './crd-envelope.ts';
import type { Community } from './model.ts';
import { join } from './problems.ts';
import { Fields } from './reader.ts';

export interface AliasDraft {
  obj: CrdObject;
  name: string;
  value: Community;
  path: string;
}

export function readCommunityAliases(obj: CrdObject): AliasDraft[] {
  const f = new Fields(obj.problems, 'spec', obj.spec, { known: ['communities'] });
  const out: AliasDraft[] = [];
  (f.list('communities') ?? []).forEach((item, i) => {
    const a = Fields.of(obj.problems, join(f.at('communities'), i), item, { known: ['name', 'value'] });
    if (!a) return;
    const name = a.string('name', { required: true });
    const text = a.string('value', { required: true });
    if (name === undefined || text === undefined) return;
    if (name === '__proto__') {
      obj.problems.add(a.at('name'), 'reserved name');
      return;
    }
    const value = parseCommunity(text);
    if (typeof value === 'string') obj.problems.add(a.at('value'), value);
    else out.push({ obj, name, value, path: a.at('name') });
  });
  return out;
}
