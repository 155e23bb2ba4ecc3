// ATOMIC_AGGREGATE (type 6, well-known discretionary, RFC 4271 §5.1.6): no value.
// RFC 7606 §7.6 and §3 (f): wrong length or flags → attribute-discard.
import { UpdateSubcode } from '../../errors.ts';
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, WELL_KNOWN } from './spec.ts';

export const atomicAggregateAttribute: AttributeSpec<'ATOMIC_AGGREGATE'> = {
  type: 'ATOMIC_AGGREGATE',
  code: AttributeCode.ATOMIC_AGGREGATE,
  flags: WELL_KNOWN,
  flagsErrorHandling: 'attribute-discard',
  codec: {
    decode(_buf, _offset, length) {
      if (length !== 0) {
        return new Malformed(UpdateSubcode.AttributeLengthError, 'attribute-discard', `length ${length}, expected 0`);
      }
      return { type: 'ATOMIC_AGGREGATE' };
    },
    write: () => 0,
    length: () => 0,
  },
};
