// AS4_PATH (type 17, optional transitive, RFC 6793 §3): the AS path with 4-octet ASNs, sent alongside an
// AS_PATH full of AS_TRANS to/from a 2-octet speaker. RFC 6793 §6 / RFC 7606 §7.2 spirit: a malformed
// AS4_PATH is handled by attribute-discard (the AS_PATH alone is still usable).
import { UpdateSubcode } from '../../errors.ts';
import { AttributeCode } from '../constants.ts';
import { readSegments, segmentsLength, writeSegments } from './as-path-segments.ts';
import { type AttributeSpec, Malformed, OPTIONAL_TRANSITIVE } from './spec.ts';

export const as4PathAttribute: AttributeSpec<'AS4_PATH'> = {
  type: 'AS4_PATH',
  code: AttributeCode.AS4_PATH,
  flags: OPTIONAL_TRANSITIVE,
  flagsErrorHandling: 'attribute-discard',
  codec: {
    decode(buf, offset, length) {
      const segments = readSegments(buf, offset, length, 4);
      if (typeof segments === 'string') {
        return new Malformed(UpdateSubcode.OptionalAttributeError, 'attribute-discard', segments);
      }
      return { type: 'AS4_PATH', segments };
    },
    write: (v, buf, offset) => writeSegments(v.segments, buf, offset, 4, 'AS4_PATH'),
    length: (v) => segmentsLength(v.segments, 4),
  },
};
