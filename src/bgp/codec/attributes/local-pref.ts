// LOCAL_PREF (type 5, well-known, RFC 4271 §5.1.5): 4-octet preference.
// RFC 7606 §7.5: wrong length → treat-as-withdraw. (Ignoring it from an external peer is session policy.)
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../bytes.ts';
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, WELL_KNOWN } from './spec.ts';

export const localPrefAttribute: AttributeSpec<'LOCAL_PREF'> = {
  type: 'LOCAL_PREF',
  code: AttributeCode.LOCAL_PREF,
  flags: WELL_KNOWN,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length !== 4) {
        return new Malformed(UpdateSubcode.AttributeLengthError, 'treat-as-withdraw', `length ${length}, expected 4`);
      }
      return { type: 'LOCAL_PREF', localPref: readU32(buf, offset) };
    },
    encode(v, buf, offset) {
      checkUint(v.localPref, 32, 'LOCAL_PREF');
      writeU32(buf, offset, v.localPref);
      return 4;
    },
    length: () => 4,
  },
};
