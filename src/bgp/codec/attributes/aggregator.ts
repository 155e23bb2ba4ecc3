// AGGREGATOR (type 7, optional transitive, RFC 4271 §5.1.7): AS (2 octets, or 4 with the 4-octet AS
// capability, RFC 6793 §4.1) and IPv4 address. RFC 7606 §7.7 and §3 (f): wrong length or flags →
// attribute-discard; RFC 7607 §2: AS 0 → attribute-discard. To a 2-octet peer a 4-octet AS is written as
// AS_TRANS (the AS4_AGGREGATOR carrying the real one is added by the attribute list).
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU16, readU32, writeU16, writeU32 } from '../../../wire/bytes.ts';
import { AS_TRANS, AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, OPTIONAL_TRANSITIVE } from './spec.ts';

export const aggregatorAttribute: AttributeSpec<'AGGREGATOR'> = {
  type: 'AGGREGATOR',
  code: AttributeCode.AGGREGATOR,
  flags: OPTIONAL_TRANSITIVE,
  flagsErrorHandling: 'attribute-discard',
  codec: {
    decode(buf, offset, length, ctx) {
      const asnSize = ctx.fourOctetAs ? 4 : 2;
      if (length !== asnSize + 4) {
        return new Malformed(
          UpdateSubcode.AttributeLengthError,
          'attribute-discard',
          `length ${length}, expected ${asnSize + 4} with ${asnSize}-octet ASNs`,
        );
      }
      const asn = asnSize === 4 ? readU32(buf, offset) : readU16(buf, offset);
      if (asn === 0) return new Malformed(UpdateSubcode.OptionalAttributeError, 'attribute-discard', 'AS 0 (RFC 7607)');
      return { type: 'AGGREGATOR', asn, address: BigInt(readU32(buf, offset + asnSize)) };
    },
    write(v, buf, offset, ctx) {
      checkUint(v.asn, 32, 'AGGREGATOR asn');
      const address = Number(v.address);
      checkUint(address, 32, 'AGGREGATOR address');
      if (ctx.fourOctetAs) writeU32(buf, offset, v.asn);
      else writeU16(buf, offset, v.asn > 0xffff ? AS_TRANS : v.asn);
      const asnSize = ctx.fourOctetAs ? 4 : 2;
      writeU32(buf, offset + asnSize, address);
      return asnSize + 4;
    },
    length: (_v, ctx) => (ctx.fourOctetAs ? 8 : 6),
  },
};
