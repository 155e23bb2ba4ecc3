// The value codec shared by the attributes that are one 4-octet unsigned number on the wire (NEXT_HOP,
// MULTI_EXIT_DISC, LOCAL_PREF). RFC 7606 §7.3–7.5: a length other than 4 → treat-as-withdraw.
import { UpdateSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../../../wire/bytes.ts';
import { type AttributeValueCodec, Malformed } from './spec.ts';

/**
 * `fromWire` turns the decoded number into the value (or a Malformed when the number is invalid for the
 * attribute); `toWire` gives the number to write, checked to fit 32 bits (errors name `name`).
 */
export function u32Value<T>(
  name: string,
  fromWire: (n: number) => T | Malformed,
  toWire: (v: T) => number,
): AttributeValueCodec<T> {
  return {
    decode(buf, offset, length) {
      if (length !== 4) {
        return new Malformed(UpdateSubcode.AttributeLengthError, 'treat-as-withdraw', `length ${length}, expected 4`);
      }
      return fromWire(readU32(buf, offset));
    },
    write(v, buf, offset) {
      const n = toWire(v);
      checkUint(n, 32, name);
      writeU32(buf, offset, n);
      return 4;
    },
    length: () => 4,
  };
}
