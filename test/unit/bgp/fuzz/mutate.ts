// Structure-aware mutations of BGP messages: byte flips, length-field changes (header, withdrawn, total
// attribute, per-attribute, OPEN parameter/capability), truncation, extension, attribute splicing from
// other seeds, duplication, removal, random type codes and flags. Most mutations fix the outer lengths
// back up afterwards so that the inner decoders (not just the header check) get exercised.
import type { Prng } from './prng.ts';

const HEADER = 19;

interface AttrSpan {
  start: number;
  end: number;
  headerLength: number;
}

interface UpdateLayout {
  withdrawnLenAt: number;
  attrLenAt: number;
  attrStart: number;
  attrEnd: number;
  attrs: AttrSpan[];
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

function setU16(b: Uint8Array, o: number, v: number): void {
  if (o + 1 >= b.length) return;
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

/** Lenient UPDATE layout: stops at the first inconsistency. */
export function updateLayout(b: Uint8Array): UpdateLayout | undefined {
  if (b.length < HEADER + 4 || b[18] !== 2) return undefined;
  const withdrawnLenAt = HEADER;
  const wlen = u16(b, withdrawnLenAt);
  const attrLenAt = HEADER + 2 + wlen;
  if (attrLenAt + 2 > b.length) return undefined;
  const attrStart = attrLenAt + 2;
  const attrEnd = Math.min(b.length, attrStart + u16(b, attrLenAt));
  const attrs: AttrSpan[] = [];
  let p = attrStart;
  while (p + 3 <= attrEnd) {
    const ext = ((b[p] as number) & 0x10) !== 0;
    const headerLength = ext ? 4 : 3;
    if (p + headerLength > attrEnd) break;
    const len = ext ? u16(b, p + 2) : (b[p + 2] as number);
    const end = p + headerLength + len;
    if (end > attrEnd) break;
    attrs.push({ start: p, end, headerLength });
    p = end;
  }
  return { withdrawnLenAt, attrLenAt, attrStart, attrEnd, attrs };
}

/** Collects every well-framed attribute of every UPDATE seed, for splicing. */
export function attributePool(seeds: readonly Uint8Array[]): Uint8Array[] {
  const pool: Uint8Array[] = [];
  for (const s of seeds) {
    const l = updateLayout(s);
    if (!l) continue;
    for (const a of l.attrs) pool.push(s.slice(a.start, a.end));
  }
  return pool;
}

function fixHeaderLength(b: Uint8Array): Uint8Array {
  if (b.length >= HEADER) setU16(b, 16, b.length);
  return b;
}

function replaceRange(b: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - (end - start) + insert.length);
  out.set(b.subarray(0, start), 0);
  out.set(insert, start);
  out.set(b.subarray(end), start + insert.length);
  return out;
}

/** Replaces [start, end) of the attribute list with `insert` and fixes total attribute and header lengths. */
function editAttributes(b: Uint8Array, l: UpdateLayout, start: number, end: number, insert: Uint8Array): Uint8Array {
  const out = replaceRange(b, start, end, insert);
  setU16(out, l.attrLenAt, l.attrEnd - l.attrStart - (end - start) + insert.length);
  return fixHeaderLength(out);
}

const INTERESTING = [0, 1, 2, 3, 4, 0x0f, 0x10, 0x1f, 0x20, 0x21, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xe0, 0xfe, 0xff];
const ATTR_CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 32, 35, 99, 255];
const FLAGS = [0x00, 0x10, 0x40, 0x50, 0x60, 0x80, 0x90, 0xa0, 0xc0, 0xd0, 0xe0, 0xf0, 0xff];

export type Mutator = (b: Uint8Array, rng: Prng, pool: readonly Uint8Array[]) => Uint8Array;

function randomOffset(b: Uint8Array, rng: Prng): number {
  // Mostly past the marker: a broken marker only tests the header check.
  return rng.chance(0.05) ? rng.int(b.length) : HEADER - 3 + rng.int(Math.max(1, b.length - HEADER + 3));
}

export const MUTATORS: Record<string, Mutator> = {
  flipBits(b, rng) {
    const out = b.slice();
    const n = 1 + rng.int(4);
    for (let i = 0; i < n && out.length > 0; i++) {
      const o = Math.min(out.length - 1, randomOffset(out, rng));
      out[o] = (out[o] as number) ^ (1 << rng.int(8));
    }
    return out;
  },
  setByte(b, rng) {
    const out = b.slice();
    if (out.length === 0) return out;
    const o = Math.min(out.length - 1, randomOffset(out, rng));
    out[o] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.byte();
    return out;
  },
  headerLength(b, rng) {
    const out = b.slice();
    const len = u16(out, 16);
    setU16(out, 16, rng.chance(0.5) ? len + rng.int(9) - 4 : rng.int(0x10000));
    return out;
  },
  truncate(b, rng) {
    const out = b.slice(0, rng.int(b.length));
    return rng.chance(0.7) ? fixHeaderLength(out) : out;
  },
  extend(b, rng) {
    const extra = new Uint8Array(1 + rng.int(24));
    for (let i = 0; i < extra.length; i++) extra[i] = rng.chance(0.3) ? rng.pick(INTERESTING) : rng.byte();
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return fixHeaderLength(out);
  },
  updateLengthField(b, rng) {
    const l = updateLayout(b);
    if (!l) return MUTATORS.headerLength!(b, rng, []);
    const out = b.slice();
    const at = rng.chance(0.5) ? l.withdrawnLenAt : l.attrLenAt;
    const v = u16(out, at);
    setU16(out, at, rng.chance(0.7) ? Math.max(0, v + rng.int(9) - 4) : rng.int(0x10000));
    return out;
  },
  attributeLength(b, rng) {
    const l = updateLayout(b);
    if (!l || l.attrs.length === 0) return MUTATORS.setByte!(b, rng, []);
    const a = rng.pick(l.attrs);
    const out = b.slice();
    if (a.headerLength === 4) {
      const v = u16(out, a.start + 2);
      setU16(out, a.start + 2, rng.chance(0.7) ? Math.max(0, v + rng.int(9) - 4) : rng.int(0x10000));
    } else {
      const v = out[a.start + 2] as number;
      out[a.start + 2] = rng.chance(0.7) ? Math.max(0, Math.min(255, v + rng.int(9) - 4)) : rng.byte();
    }
    return out;
  },
  attributeFlags(b, rng) {
    const l = updateLayout(b);
    if (!l || l.attrs.length === 0) return MUTATORS.flipBits!(b, rng, []);
    const a = rng.pick(l.attrs);
    const out = b.slice();
    const flags = rng.chance(0.7) ? (rng.pick(FLAGS) & 0xef) | ((out[a.start] as number) & 0x10) : rng.byte();
    out[a.start] = flags;
    return out;
  },
  attributeType(b, rng) {
    const l = updateLayout(b);
    if (!l || l.attrs.length === 0) return MUTATORS.flipBits!(b, rng, []);
    const a = rng.pick(l.attrs);
    const out = b.slice();
    out[a.start + 1] = rng.chance(0.8) ? rng.pick(ATTR_CODES) : rng.byte();
    return out;
  },
  spliceAttribute(b, rng, pool) {
    const l = updateLayout(b);
    if (!l || pool.length === 0) return MUTATORS.extend!(b, rng, []);
    const at = l.attrs.length === 0 ? l.attrStart : rng.pick([...l.attrs.map((a) => a.start), l.attrs.at(-1)!.end]);
    return editAttributes(b, l, at, at, rng.pick(pool));
  },
  replaceAttribute(b, rng, pool) {
    const l = updateLayout(b);
    if (!l || l.attrs.length === 0 || pool.length === 0) return MUTATORS.spliceAttribute!(b, rng, pool);
    const a = rng.pick(l.attrs);
    return editAttributes(b, l, a.start, a.end, rng.pick(pool));
  },
  duplicateAttribute(b, rng) {
    const l = updateLayout(b);
    if (!l || l.attrs.length === 0) return MUTATORS.flipBits!(b, rng, []);
    const a = rng.pick(l.attrs);
    return editAttributes(b, l, a.end, a.end, b.slice(a.start, a.end));
  },
  removeAttribute(b, rng) {
    const l = updateLayout(b);
    if (!l || l.attrs.length === 0) return MUTATORS.truncate!(b, rng, []);
    const a = rng.pick(l.attrs);
    return editAttributes(b, l, a.start, a.end, new Uint8Array(0));
  },
  mutateAttributeValue(b, rng) {
    const l = updateLayout(b);
    if (!l) return MUTATORS.setByte!(b, rng, []);
    const a = l.attrs.length > 0 ? rng.pick(l.attrs) : undefined;
    if (!a || a.end - a.start <= a.headerLength) return MUTATORS.setByte!(b, rng, []);
    const out = b.slice();
    const o = a.start + a.headerLength + rng.int(a.end - a.start - a.headerLength);
    out[o] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.byte();
    return out;
  },
  appendPrefix(b, rng) {
    // A random (possibly over-long) prefix at the end of the NLRI field.
    const len = rng.chance(0.8) ? rng.int(33) : rng.int(256);
    const n = Math.min(17, (len + 7) >> 3) - (rng.chance(0.2) ? 1 : 0);
    const extra = new Uint8Array(1 + Math.max(0, n));
    extra[0] = len;
    for (let i = 1; i < extra.length; i++) extra[i] = rng.byte();
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return fixHeaderLength(out);
  },
  openParameters(b, rng) {
    // OPEN: optional parameters length (offset 28), first parameter / capability header bytes.
    if (b.length < 29 || b[18] !== 1) return MUTATORS.setByte!(b, rng, []);
    const out = b.slice();
    const o = 28 + rng.int(Math.min(8, out.length - 28));
    out[o] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.byte();
    return out;
  },
};

const NAMES = Object.keys(MUTATORS);

/** One to three stacked mutations. */
export function mutate(seed: Uint8Array, rng: Prng, pool: readonly Uint8Array[]): Uint8Array {
  let b = seed;
  const n = rng.chance(0.6) ? 1 : 2 + rng.int(2);
  for (let i = 0; i < n; i++) b = (MUTATORS[rng.pick(NAMES)] as Mutator)(b, rng, pool);
  return b;
}

export const MUTATOR_NAMES: readonly string[] = NAMES;
