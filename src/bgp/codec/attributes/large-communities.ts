// LARGE_COMMUNITIES (type 32, optional transitive, RFC 8092): 12-octet values (global administrator,
// local data 1, local data 2). RFC 8092 §5 with RFC 7606: a length that is not a non-zero multiple of 12
// → treat-as-withdraw; repeated values are silently removed on receipt.
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../../../wire/bytes.ts';
import { AttributeCode } from '../constants.ts';
import type { LargeCommunity } from '../model.ts';
import { type AttributeSpec, Malformed, OPTIONAL_TRANSITIVE } from './spec.ts';

export const largeCommunitiesAttribute: AttributeSpec<'LARGE_COMMUNITIES'> = {
  type: 'LARGE_COMMUNITIES',
  code: AttributeCode.LARGE_COMMUNITIES,
  flags: OPTIONAL_TRANSITIVE,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: {
    decode(buf, offset, length) {
      if (length === 0 || length % 12 !== 0) {
        return new Malformed(
          UpdateSubcode.OptionalAttributeError,
          'treat-as-withdraw',
          `length ${length} is not a non-zero multiple of 12`,
        );
      }
      const communities: LargeCommunity[] = [];
      let seen: Set<string> | undefined;
      for (let p = offset; p < offset + length; p += 12) {
        const c = { globalAdmin: readU32(buf, p), localData1: readU32(buf, p + 4), localData2: readU32(buf, p + 8) };
        if (length > 12) {
          seen ??= new Set();
          const key = `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        communities.push(c);
      }
      return { type: 'LARGE_COMMUNITIES', communities };
    },
    write(v, buf, offset) {
      let p = offset;
      for (const c of v.communities) {
        checkUint(c.globalAdmin, 32, 'LARGE_COMMUNITIES globalAdmin');
        checkUint(c.localData1, 32, 'LARGE_COMMUNITIES localData1');
        checkUint(c.localData2, 32, 'LARGE_COMMUNITIES localData2');
        writeU32(buf, p, c.globalAdmin);
        writeU32(buf, p + 4, c.localData1);
        writeU32(buf, p + 8, c.localData2);
        p += 12;
      }
      return p - offset;
    },
    length: (v) => 12 * v.communities.length,
  },
};
