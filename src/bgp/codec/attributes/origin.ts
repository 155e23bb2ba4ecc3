// ORIGIN (type 1, well-known mandatory, RFC 4271 §5.1.1): one octet, IGP 0 / EGP 1 / INCOMPLETE 2.
// RFC 7606 §7.1: wrong length or undefined value → treat-as-withdraw.
import { UpdateSubcode } from '../../errors.ts';
import { AttributeCode } from '../constants.ts';
import type { Origin } from '../model.ts';
import { type AttributeSpec, Malformed, WELL_KNOWN } from './spec.ts';

const ORIGINS: readonly Origin[] = ['IGP', 'EGP', 'INCOMPLETE'];

export const originAttribute: AttributeSpec<'ORIGIN'> = {
  type: 'ORIGIN',
  code: AttributeCode.ORIGIN,
  flags: WELL_KNOWN,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length !== 1) {
        return new Malformed(UpdateSubcode.AttributeLengthError, 'treat-as-withdraw', `length ${length}, expected 1`);
      }
      const origin = ORIGINS[buf[offset] as number];
      if (!origin) {
        return new Malformed(
          UpdateSubcode.InvalidOriginAttribute,
          'treat-as-withdraw',
          `undefined value ${buf[offset]}`,
        );
      }
      return { type: 'ORIGIN', origin };
    },
    write(v, buf, offset) {
      const i = ORIGINS.indexOf(v.origin);
      if (i < 0) throw new RangeError(`ORIGIN: "${String(v.origin)}" is not IGP, EGP or INCOMPLETE`);
      buf[offset] = i;
      return 1;
    },
    length: () => 1,
  },
};
