// AS path segments (RFC 4271 §4.3, RFC 5065 §3 for the confederation types), shared by AS_PATH (2- or
// 4-octet ASNs per context) and AS4_PATH (always 4-octet, RFC 6793 §3).
// RFC 7606 §7.2: a path is malformed on an unrecognized segment type, a segment overrunning the attribute,
// a single octet left over, or a segment of length zero.
import { AS_TRANS } from '../constants.ts';
import { readU16, readU32, writeU16, writeU32 } from '../../../wire/bytes.ts';
import type { AsPathSegment, AsPathSegmentType } from '../model.ts';

const SEGMENT_TYPES: Record<number, AsPathSegmentType> = {
  1: 'AS_SET',
  2: 'AS_SEQUENCE',
  3: 'AS_CONFED_SEQUENCE',
  4: 'AS_CONFED_SET',
};
const SEGMENT_CODES: Record<AsPathSegmentType, number> = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
};

/** Segments filling exactly [offset, offset+length), or why they are malformed. */
export function readSegments(
  buf: Uint8Array,
  offset: number,
  length: number,
  asnSize: 2 | 4,
): AsPathSegment[] | string {
  const out: AsPathSegment[] = [];
  const end = offset + length;
  let p = offset;
  while (p < end) {
    if (end - p < 2) return `segment at octet ${p - offset}: a single octet left, no room for a segment header`;
    const type = SEGMENT_TYPES[buf[p] as number];
    if (!type) return `segment at octet ${p - offset}: unrecognized segment type ${buf[p]}`;
    const count = buf[p + 1] as number;
    if (count === 0) return `segment at octet ${p - offset}: segment length is zero`;
    p += 2;
    if (p + count * asnSize > end) {
      return `segment at octet ${p - 2 - offset}: ${count} ASNs of ${asnSize} octets overrun the attribute`;
    }
    const asns = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      asns[i] = asnSize === 4 ? readU32(buf, p) : readU16(buf, p);
      p += asnSize;
    }
    out.push({ type, asns });
  }
  return out;
}

export function segmentsLength(segments: readonly AsPathSegment[], asnSize: 2 | 4): number {
  let n = 0;
  for (const s of segments) n += 2 + s.asns.length * asnSize;
  return n;
}

/** Writes segments; with asnSize 2, ASNs above 65535 are written as AS_TRANS (RFC 6793 §4.2.2). */
export function writeSegments(
  segments: readonly AsPathSegment[],
  buf: Uint8Array,
  offset: number,
  asnSize: 2 | 4,
  what: string,
): number {
  let p = offset;
  for (const s of segments) {
    const code = SEGMENT_CODES[s.type];
    if (code === undefined) throw new RangeError(`${what}: unknown segment type "${String(s.type)}"`);
    if (s.asns.length === 0 || s.asns.length > 255) {
      throw new RangeError(`${what}: a ${s.type} segment must hold 1..255 ASNs, not ${s.asns.length}`);
    }
    buf[p] = code;
    buf[p + 1] = s.asns.length;
    p += 2;
    for (const asn of s.asns) {
      if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff)
        throw new RangeError(`${what}: ASN ${asn} is not 0..4294967295`);
      if (asnSize === 4) writeU32(buf, p, asn);
      else writeU16(buf, p, asn > 0xffff ? AS_TRANS : asn);
      p += asnSize;
    }
  }
  return p - offset;
}

/** RFC 4271 §9.1.2.2 (a) path length: AS_SET counts 1, confederation segments count 0. */
export function pathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'AS_SEQUENCE') n += s.asns.length;
    else if (s.type === 'AS_SET') n += 1;
  }
  return n;
}
