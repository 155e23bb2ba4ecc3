// MP_REACH_NLRI (type 14, optional non-transitive, RFC 4760 §3): AFI (2), SAFI (1), next hop length (1),
// next hop, reserved (1), NLRI. IPv4 next hop: 4 octets; IPv6: 16 (global) or 32 (global + link-local,
// RFC 2545 §3). Other AFI/SAFI are kept raw (decode returns null).
// RFC 7606 §7.11 (and §3 (i)): when the attribute cannot be parsed (next hop length inconsistent with the
// AFI/SAFI, overruns, a syntactically incorrect NLRI per §5.3) its NLRI cannot be withdrawn, so the
// session is reset (AFI/SAFI disable is not implemented). Flags conflicts are treat-as-withdraw (§3 (c))
// since the NLRI can still be read.
import { UpdateSubcode } from '../../errors.ts';
import { readBig, readU16, readU32, writeBig, writeU16, writeU32 } from '../../../wire/bytes.ts';
import { AttributeCode } from '../constants.ts';
import { prefixesLength, readPrefixes, writePrefixes } from '../nlri.ts';
import { afiOf, familyOf } from './mp-family.ts';
import { type AttributeSpec, Malformed, OPTIONAL_NON_TRANSITIVE } from './spec.ts';

function malformed(why: string): Malformed {
  return new Malformed(UpdateSubcode.OptionalAttributeError, 'session-reset', why);
}

export const mpReachNlriAttribute: AttributeSpec<'MP_REACH_NLRI'> = {
  type: 'MP_REACH_NLRI',
  code: AttributeCode.MP_REACH_NLRI,
  flags: OPTIONAL_NON_TRANSITIVE,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length < 5) return malformed(`length ${length} is shorter than the 5 fixed octets`);
      const afi = readU16(buf, offset);
      const safi = buf[offset + 2] as number;
      const family = familyOf(afi, safi);
      if (!family) return null;
      const nhLen = buf[offset + 3] as number;
      if (4 + nhLen + 1 > length)
        return malformed(`next hop length ${nhLen} overruns the attribute of ${length} octets`);
      const nh = offset + 4;
      let nextHop: bigint;
      let linkLocalNextHop: bigint | undefined;
      if (family === 'ipv4') {
        if (nhLen !== 4) return malformed(`next hop length ${nhLen} for IPv4, expected 4`);
        nextHop = BigInt(readU32(buf, nh));
      } else {
        if (nhLen !== 16 && nhLen !== 32) return malformed(`next hop length ${nhLen} for IPv6, expected 16 or 32`);
        nextHop = readBig(buf, nh, 16);
        if (nhLen === 32) linkLocalNextHop = readBig(buf, nh + 16, 16);
      }
      // One reserved octet follows the next hop (RFC 4760 §3; ignored on receipt).
      const nlriStart = nh + nhLen + 1;
      const nlri = readPrefixes(buf, nlriStart, offset + length - nlriStart, family);
      if (typeof nlri === 'string') return malformed(`NLRI: ${nlri}`);
      return {
        type: 'MP_REACH_NLRI',
        family,
        safi,
        nextHop,
        ...(linkLocalNextHop === undefined ? {} : { linkLocalNextHop }),
        nlri,
      };
    },
    write(v, buf, offset) {
      if (familyOf(afiOf(v.family), v.safi) === undefined) {
        throw new RangeError(`MP_REACH_NLRI: SAFI ${v.safi} is not unicast (1) or multicast (2)`);
      }
      writeU16(buf, offset, afiOf(v.family));
      buf[offset + 2] = v.safi;
      let p = offset + 4;
      if (v.family === 'ipv4') {
        if (v.linkLocalNextHop !== undefined) throw new RangeError('MP_REACH_NLRI: link-local next hop is IPv6 only');
        if (v.nextHop < 0n || v.nextHop > 0xffffffffn)
          throw new RangeError('MP_REACH_NLRI: IPv4 next hop out of range');
        buf[offset + 3] = 4;
        writeU32(buf, p, Number(v.nextHop));
        p += 4;
      } else {
        for (const a of [v.nextHop, v.linkLocalNextHop]) {
          if (a !== undefined && (a < 0n || a >> 128n !== 0n))
            throw new RangeError('MP_REACH_NLRI: IPv6 next hop out of range');
        }
        buf[offset + 3] = v.linkLocalNextHop === undefined ? 16 : 32;
        writeBig(buf, p, 16, v.nextHop);
        p += 16;
        if (v.linkLocalNextHop !== undefined) {
          writeBig(buf, p, 16, v.linkLocalNextHop);
          p += 16;
        }
      }
      buf[p++] = 0;
      for (const n of v.nlri) {
        if (n.family !== v.family) throw new RangeError(`MP_REACH_NLRI ${v.family}: holds a ${n.family} prefix`);
      }
      p += writePrefixes(v.nlri, buf, p);
      return p - offset;
    },
    length: (v) => 5 + (v.family === 'ipv4' ? 4 : v.linkLocalNextHop === undefined ? 16 : 32) + prefixesLength(v.nlri),
  },
};
