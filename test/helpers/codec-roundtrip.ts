// The generic round-trip check every wire type passes: encode → decode → equal; length() matches what
// write() wrote and what decode() read; writing at an offset into a larger buffer gives the same bytes.
import { expect } from 'vitest';
import { encodeWith, type Codec } from '../../src/wire/index.ts';

export function expectRoundTrip<T, C>(
  codec: Codec<T, C>,
  value: T,
  ctx: C,
  normalise: (v: T) => unknown = (v) => v,
): Uint8Array {
  const bytes = encodeWith(codec, value, ctx);
  expect(bytes.length).toBe(codec.length(value, ctx));
  const back = codec.decode(bytes, 0, ctx);
  expect(back.bytesRead).toBe(bytes.length);
  expect(normalise(back.value)).toEqual(normalise(value));
  const offset = 7;
  const big = new Uint8Array(bytes.length + offset + 5).fill(0xee);
  expect(codec.write(value, big, offset, ctx)).toBe(bytes.length);
  expect(big.subarray(offset, offset + bytes.length)).toEqual(bytes);
  expect(big[offset - 1]).toBe(0xee);
  expect(big[offset + bytes.length]).toBe(0xee);
  const again = codec.decode(big, offset, ctx);
  expect(again.bytesRead).toBe(bytes.length);
  expect(normalise(again.value)).toEqual(normalise(value));
  return bytes;
}
