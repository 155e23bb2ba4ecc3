// LOCAL_PREF (type 5, well-known, RFC 4271 §5.1.5): 4-octet preference.
// RFC 7606 §7.5: wrong length → treat-as-withdraw. (Ignoring it from an external peer is session policy.)
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, WELL_KNOWN } from './spec.ts';
import { u32Value } from './u32-value.ts';

export const localPrefAttribute: AttributeSpec<'LOCAL_PREF'> = {
  type: 'LOCAL_PREF',
  code: AttributeCode.LOCAL_PREF,
  flags: WELL_KNOWN,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: u32Value(
    'LOCAL_PREF',
    (localPref) => ({ type: 'LOCAL_PREF', localPref }),
    (v) => v.localPref,
  ),
};
