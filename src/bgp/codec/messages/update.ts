// UPDATE message body (RFC 4271 §4.3) with RFC 7606 revised error handling.
//
// Layout: Withdrawn Routes Length (2), Withdrawn Routes, Total Path Attribute Length (2), attributes, NLRI.
// Decisions (RFC 7606 section in brackets):
// - Withdrawn Routes Length or Total Path Attribute Length overrunning the message → session reset, 3/1 [§3 (b)].
// - Withdrawn Routes / NLRI field syntactically incorrect (prefix length > 32, prefix overrunning the
//   field) → session reset, 3/1 resp. 3/10 [§5.3].
// - An attribute header or value overrunning the Total Path Attribute Length [§4]: the Total Path Attribute
//   Length is trusted to find the NLRI; treat-as-withdraw when there is something parseable to withdraw
//   (NLRI non-empty, or an MP_REACH/MP_UNREACH_NLRI was parsed before the break — §5.1 says they come
//   first), otherwise session reset 3/1, since the unparsed rest may hold MP_* NLRI [§3 (i)].
// - Per-attribute errors: each attribute file documents its handling [§7]; flags conflicts use the
//   attribute's flags handling [§3 (c), (f)].
// - Unrecognized well-known attribute → session reset 3/2 (RFC 4271 §6.3, unchanged by RFC 7606).
// - A repeated MP_REACH_NLRI or MP_UNREACH_NLRI → session reset 3/1; any other repeated attribute: all
//   but the first are discarded [§3 (g)].
// - Missing ORIGIN or AS_PATH when NLRI (field or MP_REACH_NLRI) is present, or NEXT_HOP when the NLRI
//   field is non-empty → treat-as-withdraw 3/3 with the missing type code as data [§3 (d); RFC 4760 §3
//   makes NEXT_HOP unnecessary for MP_REACH_NLRI-only updates].
// - Several errors: the strongest approach wins [§3 (h)]: session reset is thrown; otherwise the Update
//   reports `treatAsWithdraw`, `discarded` type codes and every error found in `errors`.
import { BgpError, ErrorCode, UpdateSubcode } from '../../errors.ts';
import { readU16, writeU16 } from '../../../wire/bytes.ts';
import { AttributeCode } from '../constants.ts';
import {
  attributeLength,
  checkFlags,
  decodeAttributeValue,
  readAttributeHeader,
  writeAttribute,
} from '../attributes/attribute.ts';
import { resolveAs4, wireAttributes } from '../attributes/as4.ts';
import { attributeName } from '../attributes/table.ts';
import type { BodyCodec, CodecContext, PathAttribute, Prefix, Update } from '../model.ts';
import { prefixesLength, readPrefixes, writePrefixes } from '../nlri.ts';

function updateError(subcode: number, why: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.UpdateMessage, subcode, `UPDATE: ${why}`, data ? { data } : {});
}

interface AttributeList {
  attributes: PathAttribute[];
  errors: BgpError[];
  discarded: number[];
  /** Type codes whose header was seen (even when the value was malformed). */
  seen: Uint8Array;
  /** Where the list stopped being parseable, if it did. */
  framingError?: string;
  sawMp: boolean;
}

function decodeAttributeList(buf: Uint8Array, offset: number, end: number, ctx: CodecContext): AttributeList {
  const list: AttributeList = { attributes: [], errors: [], discarded: [], seen: new Uint8Array(256), sawMp: false };
  let p = offset;
  while (p < end) {
    const h = readAttributeHeader(buf, p, end);
    if (!h) {
      list.framingError = `attribute header at offset ${p} does not fit in the ${end - p} octets left of the attribute list`;
      break;
    }
    const next = p + h.headerLength + h.valueLength;
    if (next > end) {
      list.framingError = `${attributeName(h.code)} at offset ${p}: length ${h.valueLength} overruns the attribute list by ${next - end} octets`;
      break;
    }
    const isMp = h.code === AttributeCode.MP_REACH_NLRI || h.code === AttributeCode.MP_UNREACH_NLRI;
    if (list.seen[h.code]) {
      if (isMp) {
        throw updateError(
          UpdateSubcode.MalformedAttributeList,
          `${attributeName(h.code)} appears more than once (RFC 7606 §3 (g))`,
        );
      }
      list.discarded.push(h.code);
      list.errors.push(
        new BgpError(
          ErrorCode.UpdateMessage,
          UpdateSubcode.MalformedAttributeList,
          `UPDATE ${attributeName(h.code)} at offset ${p}: repeated, discarded (RFC 7606 §3 (g))`,
          { handling: 'attribute-discard', attributeCode: h.code },
        ),
      );
      p = next;
      continue;
    }
    list.seen[h.code] = 1;
    const flagsError = checkFlags(buf, p, h);
    const r = decodeAttributeValue(buf, p, h, ctx);
    if (r instanceof BgpError) {
      if (r.handling === 'session-reset') throw r;
      list.errors.push(r);
      if (r.handling === 'attribute-discard') list.discarded.push(h.code);
    } else {
      if (isMp) list.sawMp = true;
      if (flagsError) {
        list.errors.push(flagsError);
        if (flagsError.handling === 'attribute-discard') list.discarded.push(h.code);
        // treat-as-withdraw: the value is kept so that its NLRI can be withdrawn.
        else list.attributes.push(r);
      } else {
        list.attributes.push(r);
      }
    }
    if (flagsError && r instanceof BgpError) list.errors.push(flagsError);
    p = next;
  }
  return list;
}

function missing(code: number): BgpError {
  return new BgpError(
    ErrorCode.UpdateMessage,
    UpdateSubcode.MissingWellKnownAttribute,
    `UPDATE: mandatory ${attributeName(code)} attribute is missing (RFC 7606 §3 (d): treat-as-withdraw)`,
    { data: new Uint8Array([code]), handling: 'treat-as-withdraw', attributeCode: code },
  );
}

function decodeUpdate(buf: Uint8Array, offset: number, length: number, ctx: CodecContext): Update {
  const end = offset + length;
  if (length < 4) throw updateError(UpdateSubcode.MalformedAttributeList, `body of ${length} octets is shorter than 4`);
  const wlen = readU16(buf, offset);
  const wstart = offset + 2;
  if (wstart + wlen + 2 > end) {
    throw updateError(UpdateSubcode.MalformedAttributeList, `Withdrawn Routes Length ${wlen} overruns the message`);
  }
  const withdrawn = readPrefixes(buf, wstart, wlen, 'ipv4');
  if (typeof withdrawn === 'string')
    throw updateError(UpdateSubcode.MalformedAttributeList, `Withdrawn Routes: ${withdrawn}`);
  const alenAt = wstart + wlen;
  const alen = readU16(buf, alenAt);
  const astart = alenAt + 2;
  if (astart + alen > end) {
    throw updateError(UpdateSubcode.MalformedAttributeList, `Total Path Attribute Length ${alen} overruns the message`);
  }
  const nlri = readPrefixes(buf, astart + alen, end - astart - alen, 'ipv4');
  if (typeof nlri === 'string') throw updateError(UpdateSubcode.InvalidNetworkField, `NLRI: ${nlri}`);

  const list = decodeAttributeList(buf, astart, astart + alen, ctx);
  const errors = list.errors;
  if (list.framingError !== undefined) {
    if (nlri.length === 0 && !list.sawMp) {
      throw updateError(
        UpdateSubcode.MalformedAttributeList,
        `${list.framingError}; nothing left to treat as withdrawn`,
      );
    }
    errors.push(
      new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, `UPDATE: ${list.framingError}`, {
        handling: 'treat-as-withdraw',
      }),
    );
  }
  const as4 = resolveAs4(list.attributes, ctx);
  const attributes = as4.attributes;
  errors.push(...as4.errors);
  const discarded = [...list.discarded, ...as4.discarded];

  let mpNlri = false;
  for (const a of attributes) if (a.type === 'MP_REACH_NLRI' && a.nlri.length > 0) mpNlri = true;
  if (nlri.length > 0 || mpNlri) {
    if (!list.seen[AttributeCode.ORIGIN]) errors.push(missing(AttributeCode.ORIGIN));
    if (!list.seen[AttributeCode.AS_PATH]) errors.push(missing(AttributeCode.AS_PATH));
    if (nlri.length > 0 && !list.seen[AttributeCode.NEXT_HOP]) errors.push(missing(AttributeCode.NEXT_HOP));
  }

  const update: Update = { type: 'UPDATE', withdrawn, attributes, nlri };
  if (errors.length > 0) {
    update.errors = errors;
    if (errors.some((e) => e.handling === 'treat-as-withdraw')) update.treatAsWithdraw = true;
  }
  if (discarded.length > 0) update.discarded = discarded;
  return update;
}

function checkIpv4(ps: readonly Prefix[], field: string): void {
  for (const p of ps) {
    if (p.family !== 'ipv4')
      throw new RangeError(`UPDATE ${field}: ${p.family} prefix; IPv6 goes in MP_(UN)REACH_NLRI`);
  }
}

function attributesLength(attrs: readonly PathAttribute[], ctx: CodecContext): number {
  let n = 0;
  for (const a of attrs) n += attributeLength(a, ctx);
  return n;
}

export const updateBody: BodyCodec<Update> = {
  decode: decodeUpdate,
  write(v, buf, offset, ctx) {
    checkIpv4(v.withdrawn, 'withdrawn');
    checkIpv4(v.nlri, 'nlri');
    const attrs = wireAttributes(v.attributes, ctx);
    const wlen = prefixesLength(v.withdrawn);
    const alen = attributesLength(attrs, ctx);
    if (wlen > 0xffff || alen > 0xffff)
      throw new RangeError('UPDATE: withdrawn routes or attributes exceed 65535 octets');
    let p = offset;
    writeU16(buf, p, wlen);
    p += 2;
    p += writePrefixes(v.withdrawn, buf, p);
    writeU16(buf, p, alen);
    p += 2;
    for (const a of attrs) p += writeAttribute(a, buf, p, ctx);
    p += writePrefixes(v.nlri, buf, p);
    return p - offset;
  },
  length(v, ctx) {
    return (
      4 +
      prefixesLength(v.withdrawn) +
      attributesLength(wireAttributes(v.attributes, ctx), ctx) +
      prefixesLength(v.nlri)
    );
  },
};
