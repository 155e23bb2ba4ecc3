// Packing routes into as few UPDATE messages as fit (each at most maxSize octets, 4096 by RFC 4271 §4):
// - withdrawals are batched: IPv4 prefixes in the Withdrawn Routes field, IPv6 in MP_UNREACH_NLRI;
// - announcements are grouped by identical attribute set and next hop; each group fills UPDATEs with as
//   many prefixes as fit: IPv4 in the NLRI field with a NEXT_HOP attribute, IPv6 in MP_REACH_NLRI.
// Attributes are written in ascending type code order with MP_REACH/MP_UNREACH_NLRI first (RFC 4271 §5,
// RFC 7606 §5.1). Withdrawal messages come before announcements.
import { hex } from '../../wire/bytes.ts';
import { HEADER_LENGTH, Safi } from './constants.ts';
import { attributeLength, writeAttribute } from './attributes/attribute.ts';
import { wireAttributes } from './attributes/as4.ts';
import { ATTRIBUTE_TABLE } from './attributes/table.ts';
import { encodeMessage } from './message.ts';
import type { AttributeOf, CodecContext, PathAttribute, Prefix, WireRoute } from './model.ts';
import { prefixLength } from './nlri.ts';

const UPDATE_FIXED = HEADER_LENGTH + 4; // header + withdrawn length + total attribute length

function codeOf(a: PathAttribute): number {
  return a.type === 'UNKNOWN' ? a.code : ATTRIBUTE_TABLE[a.type].code;
}

/** MP_* first, then ascending type code (stable). */
function ordered(attrs: PathAttribute[]): PathAttribute[] {
  const rank = (a: PathAttribute): number =>
    a.type === 'MP_REACH_NLRI' || a.type === 'MP_UNREACH_NLRI' ? -1 : codeOf(a);
  return attrs
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i)
    .map((x) => x.a);
}

/** Octets the attributes take on the wire (including AS4_* added for a 2-octet peer). */
function attrsLength(attrs: readonly PathAttribute[], ctx: CodecContext): number {
  let n = 0;
  for (const a of wireAttributes(attrs, ctx)) n += attributeLength(a, ctx);
  return n;
}

/** Attribute header size for a value of n octets. */
function hdr(n: number): number {
  return n > 255 ? 4 : 3;
}

function attributesKey(attrs: readonly PathAttribute[], ctx: CodecContext): string {
  const wire = wireAttributes(attrs, ctx);
  const buf = new Uint8Array(attrsLength(attrs, ctx));
  let p = 0;
  for (const a of wire) p += writeAttribute(a, buf, p, ctx);
  return hex(buf);
}

function tooBig(what: string, maxSize: number): RangeError {
  return new RangeError(`packUpdates: ${what} does not fit in an UPDATE of ${maxSize} octets`);
}

function packWithdrawals(withdraw: readonly Prefix[], ctx: CodecContext, maxSize: number, out: Uint8Array[]): void {
  const v4 = withdraw.filter((p) => p.family === 'ipv4');
  const v6 = withdraw.filter((p) => p.family === 'ipv6');
  let batch: Prefix[] = [];
  let size = UPDATE_FIXED;
  for (const p of v4) {
    const n = prefixLength(p);
    if (size + n > maxSize) {
      if (batch.length === 0) throw tooBig('a withdrawn prefix', maxSize);
      out.push(encodeMessage({ type: 'UPDATE', withdrawn: batch, attributes: [], nlri: [] }, ctx));
      batch = [];
      size = UPDATE_FIXED;
    }
    batch.push(p);
    size += n;
  }
  if (batch.length > 0) out.push(encodeMessage({ type: 'UPDATE', withdrawn: batch, attributes: [], nlri: [] }, ctx));

  const flushV6 = (ps: Prefix[]): void => {
    const mp: AttributeOf<'MP_UNREACH_NLRI'> = {
      type: 'MP_UNREACH_NLRI',
      family: 'ipv6',
      safi: Safi.Unicast,
      withdrawn: ps,
    };
    out.push(encodeMessage({ type: 'UPDATE', withdrawn: [], attributes: [mp], nlri: [] }, ctx));
  };
  batch = [];
  let body = 3; // AFI + SAFI
  for (const p of v6) {
    const n = prefixLength(p);
    if (UPDATE_FIXED + hdr(body + n) + body + n > maxSize) {
      if (batch.length === 0) throw tooBig('a withdrawn prefix', maxSize);
      flushV6(batch);
      batch = [];
      body = 3;
    }
    batch.push(p);
    body += n;
  }
  if (batch.length > 0) flushV6(batch);
}

interface Group {
  family: WireRoute['prefix']['family'];
  nextHop: bigint;
  linkLocalNextHop?: bigint;
  attributes: PathAttribute[];
  prefixes: Prefix[];
}

function packGroup(g: Group, ctx: CodecContext, maxSize: number, out: Uint8Array[]): void {
  if (g.family === 'ipv4') {
    const attributes = ordered([...g.attributes, { type: 'NEXT_HOP', nextHop: g.nextHop }]);
    const base = UPDATE_FIXED + attrsLength(attributes, ctx);
    let batch: Prefix[] = [];
    let size = base;
    const flush = (): void => {
      out.push(encodeMessage({ type: 'UPDATE', withdrawn: [], attributes, nlri: batch }, ctx));
    };
    for (const p of g.prefixes) {
      const n = prefixLength(p);
      if (size + n > maxSize) {
        if (batch.length === 0) throw tooBig('a route with its attributes', maxSize);
        flush();
        batch = [];
        size = base;
      }
      batch.push(p);
      size += n;
    }
    if (batch.length > 0) flush();
    return;
  }
  const others = g.attributes;
  const base = UPDATE_FIXED + attrsLength(others, ctx);
  const mpFixed = 5 + (g.linkLocalNextHop === undefined ? 16 : 32);
  let batch: Prefix[] = [];
  let body = mpFixed;
  const flush = (): void => {
    const mp: AttributeOf<'MP_REACH_NLRI'> = {
      type: 'MP_REACH_NLRI',
      family: 'ipv6',
      safi: Safi.Unicast,
      nextHop: g.nextHop,
      ...(g.linkLocalNextHop === undefined ? {} : { linkLocalNextHop: g.linkLocalNextHop }),
      nlri: batch,
    };
    out.push(encodeMessage({ type: 'UPDATE', withdrawn: [], attributes: ordered([mp, ...others]), nlri: [] }, ctx));
  };
  for (const p of g.prefixes) {
    const n = prefixLength(p);
    if (base + hdr(body + n) + body + n > maxSize) {
      if (batch.length === 0) throw tooBig('a route with its attributes', maxSize);
      flush();
      batch = [];
      body = mpFixed;
    }
    batch.push(p);
    body += n;
  }
  if (batch.length > 0) flush();
}

/** The group of `r` in `groups` (by family, next hops and wire attributes), made when new. */
function groupFor(r: WireRoute, ctx: CodecContext, groups: Map<string, Group>): Group {
  for (const a of r.attributes) {
    if (a.type === 'NEXT_HOP' || a.type === 'MP_REACH_NLRI' || a.type === 'MP_UNREACH_NLRI') {
      throw new RangeError(`packUpdates: route attributes must not include ${a.type} (it is made from the route)`);
    }
  }
  if (r.prefix.family === 'ipv4' && r.linkLocalNextHop !== undefined) {
    throw new RangeError('packUpdates: a link-local next hop is for IPv6 routes only');
  }
  const attributes = ordered([...r.attributes]);
  const key = `${r.prefix.family}|${r.nextHop.toString(16)}|${r.linkLocalNextHop?.toString(16) ?? ''}|${attributesKey(attributes, ctx)}`;
  let g = groups.get(key);
  if (!g) {
    g = {
      family: r.prefix.family,
      nextHop: r.nextHop,
      ...(r.linkLocalNextHop === undefined ? {} : { linkLocalNextHop: r.linkLocalNextHop }),
      attributes,
      prefixes: [],
    };
    groups.set(key, g);
  }
  return g;
}

/**
 * Encodes UPDATE messages announcing `announce` and withdrawing `withdraw`. Route attributes must not
 * include NEXT_HOP or MP_REACH/MP_UNREACH_NLRI: they are made from the route's next hop and prefix.
 */
export function packUpdates(
  announce: readonly WireRoute[],
  withdraw: readonly Prefix[],
  ctx: CodecContext,
  maxSize = 4096,
): Uint8Array[] {
  if (!Number.isInteger(maxSize) || maxSize < UPDATE_FIXED || maxSize > 65535) {
    throw new RangeError(`packUpdates: maxSize ${maxSize} is not ${UPDATE_FIXED}..65535`);
  }
  const out: Uint8Array[] = [];
  packWithdrawals(withdraw, ctx, maxSize, out);
  const groups = new Map<string, Group>();
  // Routes sharing one attribute list (by identity) and next hops share a group: the list is checked,
  // ordered and serialised into the group key once, not once per route.
  const known = new Map<readonly PathAttribute[], Group[]>();
  for (const r of announce) {
    const family = r.prefix.family;
    const seen = known.get(r.attributes);
    let g = seen?.find(
      (x) => x.family === family && x.nextHop === r.nextHop && x.linkLocalNextHop === r.linkLocalNextHop,
    );
    if (!g) {
      g = groupFor(r, ctx, groups);
      // A few next hops per list are remembered; past that (one list shared by routes of many next
      // hops) routes are grouped by their key alone, as a linear search would cost more.
      if (!seen) known.set(r.attributes, [g]);
      else if (seen.length < 8) seen.push(g);
    }
    g.prefixes.push(r.prefix);
  }
  for (const g of groups.values()) packGroup(g, ctx, maxSize, out);
  return out;
}
