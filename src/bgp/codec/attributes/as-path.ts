// AS_PATH (type 2, well-known mandatory, RFC 4271 §5.1.2): 2-octet ASNs, or 4-octet when both sides
// announced the 4-octet AS capability (RFC 6793 §4.1). RFC 7606 §7.2: malformed → treat-as-withdraw.
// From an external peer (ctx.externalPeer), AS_CONFED_SEQUENCE / AS_CONFED_SET segments are an error
// (RFC 5065 §5.3), handled as RFC 7606 §7.2 says for the AS_PATH checks of RFC 5065: treat-as-withdraw.
import { UpdateSubcode } from '../../errors.ts';
import { AttributeCode } from '../constants.ts';
import { readSegments, segmentsLength, writeSegments } from './as-path-segments.ts';
import { type AttributeSpec, Malformed, WELL_KNOWN } from './spec.ts';

export const asPathAttribute: AttributeSpec<'AS_PATH'> = {
  type: 'AS_PATH',
  code: AttributeCode.AS_PATH,
  flags: WELL_KNOWN,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length, ctx) {
      const segments = readSegments(buf, offset, length, ctx.fourOctetAs ? 4 : 2);
      if (typeof segments === 'string')
        return new Malformed(UpdateSubcode.MalformedAsPath, 'treat-as-withdraw', segments);
      if (ctx.externalPeer) {
        const confed = segments.find((s) => s.type === 'AS_CONFED_SEQUENCE' || s.type === 'AS_CONFED_SET');
        if (confed) {
          return new Malformed(
            UpdateSubcode.MalformedAsPath,
            'treat-as-withdraw',
            `${confed.type} segment from an external peer (RFC 5065 §5.3, RFC 7606 §7.2)`,
          );
        }
      }
      return { type: 'AS_PATH', segments };
    },
    write: (v, buf, offset, ctx) => writeSegments(v.segments, buf, offset, ctx.fourOctetAs ? 4 : 2, 'AS_PATH'),
    length: (v, ctx) => segmentsLength(v.segments, ctx.fourOctetAs ? 4 : 2),
  },
};
