// MP_UNREACH_NLRI (type 15, optional non-transitive, RFC 4760 §4): AFI (2), SAFI (1), withdrawn routes.
// Other AFI/SAFI are kept raw. RFC 7606 §7.12 / §5.3: when it cannot be parsed → session reset (the
// routes it withdraws cannot be known). Flags conflicts → treat-as-withdraw (§3 (c)).
import { UpdateSubcode } from '../../errors.ts';
import { readU16, writeU16 } from '../../../wire/bytes.ts';
import { AttributeCode } from '../constants.ts';
import { prefixesLength, readPrefixes, writePrefixes } from '../nlri.ts';
import { afiOf, familyOf } from './mp-family.ts';
import { type AttributeSpec, Malformed, OPTIONAL_NON_TRANSITIVE } from './spec.ts';

export const mpUnreachNlriAttribute: AttributeSpec<'MP_UNREACH_NLRI'> = {
  type: 'MP_UNREACH_NLRI',
  code: AttributeCode.MP_UNREACH_NLRI,
  flags: OPTIONAL_NON_TRANSITIVE,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length < 3) {
        return new Malformed(
          UpdateSubcode.OptionalAttributeError,
          'session-reset',
          `length ${length} is shorter than 3`,
        );
      }
      const afi = readU16(buf, offset);
      const safi = buf[offset + 2] as number;
      const family = familyOf(afi, safi);
      if (!family) return null;
      const withdrawn = readPrefixes(buf, offset + 3, length - 3, family);
      if (typeof withdrawn === 'string') {
        return new Malformed(UpdateSubcode.OptionalAttributeError, 'session-reset', `withdrawn routes: ${withdrawn}`);
      }
      return { type: 'MP_UNREACH_NLRI', family, safi, withdrawn };
    },
    write(v, buf, offset) {
      if (familyOf(afiOf(v.family), v.safi) === undefined) {
        throw new RangeError(`MP_UNREACH_NLRI: SAFI ${v.safi} is not unicast (1) or multicast (2)`);
      }
      for (const n of v.withdrawn) {
        if (n.family !== v.family) throw new RangeError(`MP_UNREACH_NLRI ${v.family}: holds a ${n.family} prefix`);
      }
      writeU16(buf, offset, afiOf(v.family));
      buf[offset + 2] = v.safi;
      return 3 + writePrefixes(v.withdrawn, buf, offset + 3);
    },
    length: (v) => 3 + prefixesLength(v.withdrawn),
  },
};
