// AS4_AGGREGATOR (type 18, optional transitive, RFC 6793 §3): 4-octet AS and IPv4 address.
// RFC 6793 §6 / RFC 7606 §7.7 spirit: wrong length or flags → attribute-discard.
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../../../wire/bytes.ts';
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, OPTIONAL_TRANSITIVE } from './spec.ts';

export const as4AggregatorAttribute: AttributeSpec<'AS4_AGGREGATOR'> = {
  type: 'AS4_AGGREGATOR',
  code: AttributeCode.AS4_AGGREGATOR,
  flags: OPTIONAL_TRANSITIVE,
  flagsErrorHandling: 'attribute-discard',
  codec: {
    decode(buf, offset, length) {
      if (length !== 8) {
        return new Malformed(UpdateSubcode.AttributeLengthError, 'attribute-discard', `length ${length}, expected 8`);
      }
      return { type: 'AS4_AGGREGATOR', asn: readU32(buf, offset), address: BigInt(readU32(buf, offset + 4)) };
    },
    write(v, buf, offset) {
      checkUint(v.asn, 32, 'AS4_AGGREGATOR asn');
      const address = Number(v.address);
      checkUint(address, 32, 'AS4_AGGREGATOR address');
      writeU32(buf, offset, v.asn);
      writeU32(buf, offset + 4, address);
      return 8;
    },
    length: () => 8,
  },
};
