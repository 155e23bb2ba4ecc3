// RFC 6793 (4-octet AS numbers) across 2-octet peers. The model always holds the logical AS_PATH and
// AGGREGATOR with 4-octet ASNs:
// - encode to a 2-octet peer (§4.2.2): AS_PATH/AGGREGATOR carry AS_TRANS for large ASNs, and an AS4_PATH
//   / AS4_AGGREGATOR with the real ones is added. The AS4_PATH carries no confederation segments and starts
//   at the leftmost AS that does not fit 2 octets: the receiver's merge takes everything before it from
//   AS_PATH, so the path is complete while the attribute stays as short as possible;
// - decode from a 2-octet peer (§4.2.3): AS4_AGGREGATOR replaces an AGGREGATOR of AS_TRANS; an AGGREGATOR
//   with another AS means AS4_AGGREGATOR and AS4_PATH are ignored; AS4_PATH is merged into AS_PATH unless it
//   is longer than AS_PATH (then it is ignored). Adjacent AS_SEQUENCE segments at the junction are joined
//   (up to 255 ASNs). An AS4_PATH whose merged path would need more octets on the wire than the AS_PATH and
//   AS4_PATH it came in (possible only with a crafted AS4_PATH, e.g. large AS_SETs standing in for single
//   ASes) is treated as malformed and discarded (RFC 6793 §6), so that every decoded UPDATE re-encodes
//   within the size it arrived in;
// - from a 4-octet peer AS4_PATH / AS4_AGGREGATOR must not appear and are discarded (§4.1).
import { BgpError, ErrorCode, UpdateSubcode } from '../../errors.ts';
import { AS_TRANS, AttributeCode } from '../constants.ts';
import type { AsPathSegment, AttributeOf, CodecContext, PathAttribute } from '../model.ts';
import { pathLength, segmentsLength } from './as-path-segments.ts';
import { ATTRIBUTE_TABLE } from './table.ts';

function isConfed(s: AsPathSegment): boolean {
  return s.type === 'AS_CONFED_SEQUENCE' || s.type === 'AS_CONFED_SET';
}

/** The AS4_PATH for a path: non-confederation segments from the leftmost 4-octet-only AS on; [] if none. */
export function as4PathFor(segments: readonly AsPathSegment[]): AsPathSegment[] {
  const plain = segments.filter((s) => !isConfed(s));
  for (let i = 0; i < plain.length; i++) {
    const s = plain[i] as AsPathSegment;
    const at = s.asns.findIndex((a) => a > 0xffff);
    if (at < 0) continue;
    const first: AsPathSegment = s.type === 'AS_SEQUENCE' ? { type: s.type, asns: s.asns.slice(at) } : s;
    return [first, ...plain.slice(i + 1)];
  }
  return [];
}

/** The attributes as written on the wire for this context (adds AS4_PATH / AS4_AGGREGATOR when needed). */
export function wireAttributes(attrs: readonly PathAttribute[], ctx: CodecContext): readonly PathAttribute[] {
  if (ctx.fourOctetAs) return attrs;
  const hasAs4Path = attrs.some((a) => a.type === 'AS4_PATH');
  const hasAs4Agg = attrs.some((a) => a.type === 'AS4_AGGREGATOR');
  const extras: PathAttribute[] = [];
  for (const a of attrs) {
    if (a.type === 'AS_PATH' && !hasAs4Path) {
      const segments = as4PathFor(a.segments);
      if (segments.length > 0) extras.push({ type: 'AS4_PATH', segments });
    } else if (a.type === 'AGGREGATOR' && !hasAs4Agg && a.asn > 0xffff) {
      extras.push({ type: 'AS4_AGGREGATOR', asn: a.asn, address: a.address });
    }
  }
  if (extras.length === 0) return attrs;
  // Keep ascending type-code order (RFC 4271 §5): insert each before the first attribute of a higher code.
  const out = [...attrs];
  for (const e of extras) {
    const code = e.type === 'AS4_PATH' ? AttributeCode.AS4_PATH : AttributeCode.AS4_AGGREGATOR;
    const at = out.findIndex((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI' && codeOf(a) > code);
    if (at < 0) out.push(e);
    else out.splice(at, 0, e);
  }
  return out;
}

function codeOf(a: PathAttribute): number {
  return a.type === 'UNKNOWN' ? a.code : ATTRIBUTE_TABLE[a.type].code;
}

export interface As4Outcome {
  attributes: PathAttribute[];
  errors: BgpError[];
  discarded: number[];
}

function note(code: number, why: string): BgpError {
  return new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError, why, {
    handling: 'attribute-discard',
    attributeCode: code,
  });
}

/** Leading part of `path` holding `count` ASes by RFC 4271 path length (confederation segments kept). */
function leading(path: readonly AsPathSegment[], count: number): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  let left = count;
  for (const s of path) {
    if (s.type === 'AS_CONFED_SEQUENCE' || s.type === 'AS_CONFED_SET') {
      out.push(s);
    } else if (left <= 0) {
      break;
    } else if (s.type === 'AS_SET') {
      out.push(s);
      left -= 1;
    } else {
      const take = Math.min(left, s.asns.length);
      out.push({ type: s.type, asns: s.asns.slice(0, take) });
      left -= take;
    }
  }
  return out;
}

/** Octets of an attribute with a value of n octets (3- or 4-octet header). */
function onWire(n: number): number {
  return n + (n > 255 ? 4 : 3);
}

/** Concatenates, joining the last AS_SEQUENCE of `a` with the first of `b` when they fit one segment. */
function join(a: AsPathSegment[], b: readonly AsPathSegment[]): AsPathSegment[] {
  const last = a.at(-1);
  const first = b[0];
  if (
    last &&
    first &&
    last.type === 'AS_SEQUENCE' &&
    first.type === 'AS_SEQUENCE' &&
    last.asns.length + first.asns.length <= 255
  ) {
    return [...a.slice(0, -1), { type: 'AS_SEQUENCE', asns: [...last.asns, ...first.asns] }, ...b.slice(1)];
  }
  return [...a, ...b];
}

/** Applies the receive-side rules above to a decoded attribute list. */
export function resolveAs4(attrs: PathAttribute[], ctx: CodecContext): As4Outcome {
  const errors: BgpError[] = [];
  const discarded: number[] = [];
  let as4Path: AttributeOf<'AS4_PATH'> | undefined;
  let as4Agg: AttributeOf<'AS4_AGGREGATOR'> | undefined;
  for (const a of attrs) {
    if (a.type === 'AS4_PATH') as4Path = a;
    else if (a.type === 'AS4_AGGREGATOR') as4Agg = a;
  }
  if (!as4Path && !as4Agg) return { attributes: attrs, errors, discarded };
  const rest = attrs.filter((a) => a.type !== 'AS4_PATH' && a.type !== 'AS4_AGGREGATOR');
  if (ctx.fourOctetAs) {
    for (const a of [as4Path, as4Agg]) {
      if (!a) continue;
      const code = a.type === 'AS4_PATH' ? AttributeCode.AS4_PATH : AttributeCode.AS4_AGGREGATOR;
      discarded.push(code);
      errors.push(note(code, `UPDATE ${a.type} from a 4-octet AS peer is discarded (RFC 6793 §4.1)`));
    }
    return { attributes: rest, errors, discarded };
  }
  const aggIndex = rest.findIndex((a) => a.type === 'AGGREGATOR');
  const agg = rest[aggIndex] as AttributeOf<'AGGREGATOR'> | undefined;
  if (as4Agg) {
    if (agg && agg.asn !== AS_TRANS) {
      // §4.2.3: the AGGREGATOR was set by a 2-octet speaker after aggregation; AS4 info is stale.
      discarded.push(AttributeCode.AS4_AGGREGATOR);
      if (as4Path) discarded.push(AttributeCode.AS4_PATH);
      return { attributes: rest, errors, discarded };
    }
    if (agg) rest[aggIndex] = { type: 'AGGREGATOR', asn: as4Agg.asn, address: as4Agg.address };
    else discarded.push(AttributeCode.AS4_AGGREGATOR);
  }
  if (as4Path) {
    let segments = as4Path.segments;
    if (segments.some((s) => s.type === 'AS_CONFED_SEQUENCE' || s.type === 'AS_CONFED_SET')) {
      // RFC 6793 §6: confederation segments in AS4_PATH are discarded, processing continues.
      segments = segments.filter((s) => s.type === 'AS_SET' || s.type === 'AS_SEQUENCE');
      errors.push(note(AttributeCode.AS4_PATH, 'UPDATE AS4_PATH: confederation segments discarded (RFC 6793 §6)'));
    }
    const pathIndex = rest.findIndex((a) => a.type === 'AS_PATH');
    const asPath = rest[pathIndex] as AttributeOf<'AS_PATH'> | undefined;
    const n = asPath ? pathLength(asPath.segments) : 0;
    const m = pathLength(segments);
    if (!asPath || n < m) {
      discarded.push(AttributeCode.AS4_PATH);
    } else {
      const merged = join(leading(asPath.segments, n - m), segments);
      const before = onWire(segmentsLength(asPath.segments, 2)) + onWire(segmentsLength(as4Path.segments, 4));
      const as4After = as4PathFor(merged);
      const after = onWire(segmentsLength(merged, 2)) + (as4After.length > 0 ? onWire(segmentsLength(as4After, 4)) : 0);
      if (after > before) {
        discarded.push(AttributeCode.AS4_PATH);
        errors.push(
          note(
            AttributeCode.AS4_PATH,
            `UPDATE AS4_PATH: merged path would grow from ${before} to ${after} octets; discarded`,
          ),
        );
      } else {
        rest[pathIndex] = { type: 'AS_PATH', segments: merged };
      }
    }
  }
  return { attributes: rest, errors, discarded };
}
