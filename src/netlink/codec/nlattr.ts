// Netlink attributes (struct nlattr): length (header included, padding not), type with the NLA_F_NESTED and
// NLA_F_NET_BYTEORDER flag bits, then the data, padded to 4 octets. A nested attribute's data is again a
// list of attributes. Builders for the usual scalar kinds and their checked readers sit beside the codec.
import {
  checkUint,
  DecodeError,
  encodeWith,
  need,
  readU16,
  writeU16,
  type Codec,
  type Decoded,
} from '../../wire/index.ts';
import { align4, hostU16, hostU32, setHostU16, setHostU32 } from './host-order.ts';

export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = 0x3fff;

export interface NlAttr {
  /** The type without the flag bits. */
  type: number;
  nested: boolean;
  netByteOrder: boolean;
  data: Uint8Array;
}

export function decodeNlAttr(buf: Uint8Array, offset: number): Decoded<NlAttr> {
  need(buf, offset, NLA_HDRLEN, 'nlattr');
  const len = hostU16(buf, offset);
  const raw = hostU16(buf, offset + 2);
  if (len < NLA_HDRLEN)
    throw new DecodeError('nla-bad-length', `nlattr type ${raw & NLA_TYPE_MASK}: length ${len} < 4`, offset);
  need(buf, offset, len, `nlattr type ${raw & NLA_TYPE_MASK}`);
  return {
    value: {
      type: raw & NLA_TYPE_MASK,
      nested: (raw & NLA_F_NESTED) !== 0,
      netByteOrder: (raw & NLA_F_NET_BYTEORDER) !== 0,
      data: buf.slice(offset + NLA_HDRLEN, offset + len),
    },
    bytesRead: Math.min(align4(len), buf.length - offset),
  };
}

export function nlAttrLength(a: NlAttr): number {
  return align4(NLA_HDRLEN + a.data.length);
}

export function writeNlAttr(a: NlAttr, buf: Uint8Array, offset: number): number {
  checkUint(a.type, 16, 'nlattr type');
  if (a.type > NLA_TYPE_MASK) throw new RangeError(`nlattr type ${a.type} does not fit in 14 bits`);
  const len = NLA_HDRLEN + a.data.length;
  checkUint(len, 16, 'nlattr length');
  setHostU16(buf, offset, len);
  setHostU16(buf, offset + 2, a.type | (a.nested ? NLA_F_NESTED : 0) | (a.netByteOrder ? NLA_F_NET_BYTEORDER : 0));
  buf.set(a.data, offset + NLA_HDRLEN);
  buf.fill(0, offset + len, offset + align4(len));
  return align4(len);
}

export function encodeNlAttr(a: NlAttr): Uint8Array {
  return encodeWith(nlAttrCodec, a, undefined);
}

export const nlAttrCodec: Codec<NlAttr> = { decode: decodeNlAttr, write: writeNlAttr, length: nlAttrLength };

/** A list of attributes filling `ctx.length` octets (a message's or a nested attribute's data). */
export function decodeNlAttrs(buf: Uint8Array, offset: number, ctx: { length: number }): Decoded<NlAttr[]> {
  need(buf, offset, ctx.length, 'netlink attributes');
  const end = offset + ctx.length;
  const view = buf.subarray(0, end);
  const out: NlAttr[] = [];
  let off = offset;
  while (off < end) {
    const { value, bytesRead } = decodeNlAttr(view, off);
    out.push(value);
    off += bytesRead;
  }
  return { value: out, bytesRead: ctx.length };
}

export function nlAttrsLength(as: readonly NlAttr[]): number {
  let n = 0;
  for (const a of as) n += nlAttrLength(a);
  return n;
}

export function writeNlAttrs(as: readonly NlAttr[], buf: Uint8Array, offset: number): number {
  let off = offset;
  for (const a of as) off += writeNlAttr(a, buf, off);
  return off - offset;
}

export function encodeNlAttrs(as: readonly NlAttr[]): Uint8Array {
  const buf = new Uint8Array(nlAttrsLength(as));
  writeNlAttrs(as, buf, 0);
  return buf;
}

export const nlAttrsCodec: Codec<NlAttr[], { length: number }> = {
  decode: decodeNlAttrs,
  write: (as, buf, offset) => writeNlAttrs(as, buf, offset),
  length: (as) => nlAttrsLength(as),
};

/** All attributes of `data` (a nested attribute's or a message's). */
export function parseNlAttrs(data: Uint8Array): NlAttr[] {
  return decodeNlAttrs(data, 0, { length: data.length }).value;
}

// ---- builders ----

const plain = (type: number, data: Uint8Array): NlAttr => ({ type, nested: false, netByteOrder: false, data });

export function attrBytes(type: number, data: Uint8Array): NlAttr {
  return plain(type, data);
}

export function attrU8(type: number, v: number): NlAttr {
  checkUint(v, 8, `attribute ${type}`);
  return plain(type, Uint8Array.of(v));
}

export function attrU16(type: number, v: number): NlAttr {
  checkUint(v, 16, `attribute ${type}`);
  const d = new Uint8Array(2);
  setHostU16(d, 0, v);
  return plain(type, d);
}

export function attrU32(type: number, v: number): NlAttr {
  checkUint(v, 32, `attribute ${type}`);
  const d = new Uint8Array(4);
  setHostU32(d, 0, v);
  return plain(type, d);
}

/** A 16-bit value in network byte order (ports). The kernel's IPVS does not set NLA_F_NET_BYTEORDER on these. */
export function attrBe16(type: number, v: number): NlAttr {
  checkUint(v, 16, `attribute ${type}`);
  const d = new Uint8Array(2);
  writeU16(d, 0, v);
  return plain(type, d);
}

/** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING). */
export function attrString(type: number, s: string): NlAttr {
  const bytes = new TextEncoder().encode(s);
  const d = new Uint8Array(bytes.length + 1);
  d.set(bytes);
  return plain(type, d);
}

export function attrNested(type: number, children: readonly NlAttr[]): NlAttr {
  return { type, nested: true, netByteOrder: false, data: encodeNlAttrs(children) };
}

// ---- readers (a wrong size is a DecodeError naming the attribute) ----

function size(a: NlAttr, n: number, what: string): void {
  if (a.data.length < n)
    throw new DecodeError('nla-bad-size', `${what} (attribute ${a.type}): ${a.data.length} octets, needs ${n}`);
}

export function readAttrU8(a: NlAttr, what: string): number {
  size(a, 1, what);
  return a.data[0] as number;
}

export function readAttrU16(a: NlAttr, what: string): number {
  size(a, 2, what);
  return hostU16(a.data, 0);
}

export function readAttrU32(a: NlAttr, what: string): number {
  size(a, 4, what);
  return hostU32(a.data, 0);
}

export function readAttrBe16(a: NlAttr, what: string): number {
  size(a, 2, what);
  return readU16(a.data, 0);
}

/** A string up to its first NUL (or the whole data). */
export function readAttrString(a: NlAttr): string {
  const nul = a.data.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? a.data : a.data.subarray(0, nul));
}

/** The last attribute of each type (the kernel's nla_parse keeps the last too). */
export function attrsByType(attrs: readonly NlAttr[]): Map<number, NlAttr> {
  const m = new Map<number, NlAttr>();
  for (const a of attrs) m.set(a.type, a);
  return m;
}
