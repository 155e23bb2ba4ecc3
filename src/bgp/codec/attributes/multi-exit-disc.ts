// MULTI_EXIT_DISC (type 4, optional non-transitive, RFC 4271 §5.1.4): 4-octet metric.
// RFC 7606 §7.4: wrong length → treat-as-withdraw.
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../bytes.ts';
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, OPTIONAL_NON_TRANSITIVE } from './spec.ts';

export const multiExitDiscAttribute: AttributeSpec<'MULTI_EXIT_DISC'> = {
  type: 'MULTI_EXIT_DISC',
  code: AttributeCode.MULTI_EXIT_DISC,
  flags: OPTIONAL_NON_TRANSITIVE,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length !== 4) {
        return new Malformed(UpdateSubcode.AttributeLengthError, 'treat-as-withdraw', `length ${length}, expected 4`);
      }
      return { type: 'MULTI_EXIT_DISC', med: readU32(buf, offset) };
    },
    encode(v, buf, offset) {
      checkUint(v.med, 32, 'MULTI_EXIT_DISC');
      writeU32(buf, offset, v.med);
      return 4;
    },
    length: () => 4,
  },
};
