// BFDProfile (metallb.io/v1beta1) → BfdProfile.
import { CRD_BFD_FIELDS, readBfdSettings } from './bfd-profile.ts';
import type { CrdObject } from './crd-envelope.ts';
import type { BfdProfile } from './model.ts';
import { Fields } from './reader.ts';

export function readBfdProfile(obj: CrdObject): BfdProfile | undefined {
  const before = obj.problems.count;
  const f = new Fields(obj.problems, 'spec', obj.spec, { known: Object.values(CRD_BFD_FIELDS) });
  const profile = readBfdSettings(f, obj.name, CRD_BFD_FIELDS);
  return obj.problems.count > before ? undefined : profile;
}
