// NLRI prefix encoding (RFC 4271 §4.3, RFC 4760 §5): one length octet (in bits) then the fewest octets
// holding that many bits. Trailing bits past the length are irrelevant and cleared on decode.
import type { Family } from '../../net/family.ts';
import { FAMILY_BITS } from '../../net/ip.ts';
import type { Prefix } from '../prefix.ts';
import { readBig, writeBig } from '../../wire/bytes.ts';
import type { CodecContext, Decoded, WireCodec } from './model.ts';

/** Why a prefix could not be read (the caller turns it into the right BgpError), or the prefix. */
export function readPrefix(buf: Uint8Array, offset: number, end: number, family: Family): Decoded<Prefix> | string {
  const bits = FAMILY_BITS[family];
  if (offset >= end) return `prefix at offset ${offset}: no length octet`;
  const length = buf[offset] as number;
  if (length > bits) return `prefix at offset ${offset}: length ${length} exceeds ${bits} bits for ${family}`;
  const n = (length + 7) >> 3;
  if (offset + 1 + n > end) {
    return `prefix at offset ${offset}: /${length} needs ${n} octets, only ${end - offset - 1} left`;
  }
  if (family === 'ipv4') {
    // Number arithmetic (values < 2^32, exact) and one BigInt conversion keep the common case fast.
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (buf[offset + 1 + i] as number);
    v *= 2 ** (8 * (4 - n));
    const host = 2 ** (32 - length);
    return { value: { family, prefix: BigInt(Math.floor(v / host) * host), length }, bytesRead: 1 + n };
  }
  let value = readBig(buf, offset + 1, n) << BigInt(bits - n * 8);
  const host = BigInt(bits - length);
  value = (value >> host) << host;
  return { value: { family, prefix: value, length }, bytesRead: 1 + n };
}

/** Reads prefixes filling exactly [offset, offset+length); a string says why the field is malformed. */
export function readPrefixes(buf: Uint8Array, offset: number, length: number, family: Family): Prefix[] | string {
  const out: Prefix[] = [];
  const end = offset + length;
  let p = offset;
  while (p < end) {
    const r = readPrefix(buf, p, end, family);
    if (typeof r === 'string') return r;
    out.push(r.value);
    p += r.bytesRead;
  }
  return out;
}

export function prefixLength(p: Prefix): number {
  return 1 + ((p.length + 7) >> 3);
}

export function writePrefix(p: Prefix, buf: Uint8Array, offset: number): number {
  const bits = FAMILY_BITS[p.family];
  if (!Number.isInteger(p.length) || p.length < 0 || p.length > bits) {
    throw new RangeError(`prefix length ${p.length} is not 0..${bits} for ${p.family}`);
  }
  if (p.prefix < 0n || p.prefix >> BigInt(bits) !== 0n) {
    throw new RangeError(`prefix ${p.prefix} is not a ${bits}-bit ${p.family} address`);
  }
  const n = (p.length + 7) >> 3;
  buf[offset] = p.length;
  if (bits === 32) {
    const hostSize = 2 ** (32 - p.length);
    const net = Math.floor(Number(p.prefix) / hostSize) * hostSize;
    for (let i = 0; i < n; i++) buf[offset + 1 + i] = Math.floor(net / 2 ** (24 - 8 * i)) & 0xff;
    return 1 + n;
  }
  const host = BigInt(bits - p.length);
  const net = (p.prefix >> host) << host;
  writeBig(buf, offset + 1, n, net >> BigInt(bits - n * 8));
  return 1 + n;
}

export function prefixesLength(ps: readonly Prefix[]): number {
  let n = 0;
  for (const p of ps) n += prefixLength(p);
  return n;
}

export function writePrefixes(ps: readonly Prefix[], buf: Uint8Array, offset: number): number {
  let o = offset;
  for (const p of ps) o += writePrefix(p, buf, o);
  return o - offset;
}

function prefixCodec(family: Family): WireCodec<Prefix> {
  return {
    decode(buf: Uint8Array, offset: number, _ctx: CodecContext): Decoded<Prefix> {
      const r = readPrefix(buf, offset, buf.length, family);
      if (typeof r === 'string') throw new RangeError(r);
      return r;
    },
    write: (p, buf, offset) => writePrefix(p, buf, offset),
    length: (p) => prefixLength(p),
  };
}

export const ipv4PrefixCodec = prefixCodec('ipv4');
export const ipv6PrefixCodec = prefixCodec('ipv6');
