// COMMUNITIES (type 8, optional transitive, RFC 1997): a list of 32-bit values.
// RFC 7606 §7.8: a length that is not a non-zero multiple of 4 → treat-as-withdraw.
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../../../wire/bytes.ts';
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, OPTIONAL_TRANSITIVE } from './spec.ts';

/** Well-known communities (RFC 1997 §2, RFC 3765 for NO_PEER). */
export const WellKnownCommunity = {
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NO_PEER: 0xffffff04,
} as const;

const NAMES = new Map<number, string>(Object.entries(WellKnownCommunity).map(([k, v]) => [v, k]));

/** `NO_EXPORT` for well-known values, else `AS:value`. */
export function formatCommunity(value: number): string {
  return NAMES.get(value) ?? `${value >>> 16}:${value & 0xffff}`;
}

export const communitiesAttribute: AttributeSpec<'COMMUNITIES'> = {
  type: 'COMMUNITIES',
  code: AttributeCode.COMMUNITIES,
  flags: OPTIONAL_TRANSITIVE,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length === 0 || length % 4 !== 0) {
        return new Malformed(
          UpdateSubcode.OptionalAttributeError,
          'treat-as-withdraw',
          `length ${length} is not a non-zero multiple of 4`,
        );
      }
      const communities = new Array<number>(length / 4);
      for (let i = 0; i < communities.length; i++) communities[i] = readU32(buf, offset + 4 * i);
      return { type: 'COMMUNITIES', communities };
    },
    write(v, buf, offset) {
      let p = offset;
      for (const c of v.communities) {
        checkUint(c, 32, 'COMMUNITIES value');
        writeU32(buf, p, c);
        p += 4;
      }
      return p - offset;
    },
    length: (v) => 4 * v.communities.length,
  },
};
