// One path attribute on the wire (RFC 4271 §4.3): flags (1), type code (1), length (1, or 2 with the
// Extended Length flag), value. Encoding sets the canonical Optional/Transitive flags of known types and
// the Extended Length flag exactly when the value exceeds 255 octets.
import { BgpError, ErrorCode, UpdateSubcode } from '../../errors.ts';
import { checkUint, readU16, writeU16 } from '../../../wire/bytes.ts';
import { AttributeFlag } from '../constants.ts';
import type { CodecContext, Decoded, PathAttribute, WireCodec } from '../model.ts';
import { Malformed } from './spec.ts';
import { ATTRIBUTE_TABLE, type AnySpec, attributeName, SPEC_BY_CODE } from './table.ts';

export interface AttributeHeader {
  flags: number;
  code: number;
  /** Header size: 3, or 4 with Extended Length. */
  headerLength: number;
  valueLength: number;
}

/** Reads an attribute header; undefined when it does not fit before `end` (RFC 7606 §4 cases). */
export function readAttributeHeader(buf: Uint8Array, offset: number, end: number): AttributeHeader | undefined {
  if (end - offset < 3) return undefined;
  const flags = buf[offset] as number;
  const code = buf[offset + 1] as number;
  if (flags & AttributeFlag.ExtendedLength) {
    if (end - offset < 4) return undefined;
    return { flags, code, headerLength: 4, valueLength: readU16(buf, offset + 2) };
  }
  return { flags, code, headerLength: 3, valueLength: buf[offset + 2] as number };
}

function specOf(a: PathAttribute): AnySpec | undefined {
  return a.type === 'UNKNOWN' ? undefined : (ATTRIBUTE_TABLE[a.type] as AnySpec);
}

function valueLength(a: PathAttribute, ctx: CodecContext): number {
  const spec = specOf(a);
  if (!spec) return (a as Extract<PathAttribute, { type: 'UNKNOWN' }>).data.length;
  return spec.codec.length(a as never, ctx);
}

export function attributeLength(a: PathAttribute, ctx: CodecContext): number {
  const n = valueLength(a, ctx);
  return (n > 255 ? 4 : 3) + n;
}

export function writeAttribute(a: PathAttribute, buf: Uint8Array, offset: number, ctx: CodecContext): number {
  const n = valueLength(a, ctx);
  if (n > 0xffff) throw new RangeError(`${a.type}: value of ${n} octets exceeds 65535`);
  const ext = n > 255;
  const spec = specOf(a);
  let flags: number;
  let code: number;
  if (spec) {
    flags = spec.flags;
    code = spec.code;
  } else {
    const u = a as Extract<PathAttribute, { type: 'UNKNOWN' }>;
    checkUint(u.flags, 8, 'UNKNOWN attribute flags');
    checkUint(u.code, 8, 'UNKNOWN attribute code');
    flags = u.flags & ~AttributeFlag.ExtendedLength;
    code = u.code;
  }
  buf[offset] = flags | (ext ? AttributeFlag.ExtendedLength : 0);
  buf[offset + 1] = code;
  let p = offset + 2;
  if (ext) {
    writeU16(buf, p, n);
    p += 2;
  } else {
    buf[p++] = n;
  }
  if (spec) spec.codec.write(a as never, buf, p, ctx);
  else buf.set((a as Extract<PathAttribute, { type: 'UNKNOWN' }>).data, p);
  return p + n - offset;
}

/**
 * Decodes the value of one attribute whose header is already read. Returns the attribute, or a BgpError
 * (with the erroneous attribute as data, RFC 4271 §6.3) carrying its RFC 7606 handling. The flags check
 * is separate (checkFlags) so that a conflict does not hide the value (MP_REACH_NLRI still needs parsing).
 */
export function decodeAttributeValue(
  buf: Uint8Array,
  offset: number,
  h: AttributeHeader,
  ctx: CodecContext,
): PathAttribute | BgpError {
  const value = offset + h.headerLength;
  const spec = SPEC_BY_CODE[h.code];
  if (spec) {
    const r = spec.codec.decode(buf, value, h.valueLength, ctx);
    if (r instanceof Malformed) {
      return new BgpError(
        ErrorCode.UpdateMessage,
        r.subcode,
        `UPDATE ${spec.type} attribute at offset ${offset}: ${r.why}`,
        {
          data: buf.slice(offset, value + h.valueLength),
          handling: r.handling,
          attributeCode: h.code,
        },
      );
    }
    if (r !== null) return r;
  } else if (!(h.flags & AttributeFlag.Optional)) {
    // RFC 4271 §6.3: an unrecognized well-known attribute; RFC 7606 leaves this a session reset.
    return new BgpError(
      ErrorCode.UpdateMessage,
      UpdateSubcode.UnrecognizedWellKnownAttribute,
      `UPDATE attribute at offset ${offset}: type ${h.code} is not recognized but its Optional flag is clear`,
      { data: buf.slice(offset, value + h.valueLength), attributeCode: h.code },
    );
  }
  return {
    type: 'UNKNOWN',
    code: h.code,
    flags: h.flags & ~AttributeFlag.ExtendedLength,
    data: buf.slice(value, value + h.valueLength),
  };
}

/** RFC 4271 §6.3 Attribute Flags Error when Optional/Transitive conflict with the type (RFC 7606 §3 (c)). */
export function checkFlags(buf: Uint8Array, offset: number, h: AttributeHeader): BgpError | undefined {
  const spec = SPEC_BY_CODE[h.code];
  if (!spec) return undefined;
  const ot = h.flags & (AttributeFlag.Optional | AttributeFlag.Transitive);
  if (ot === spec.flags) return undefined;
  return new BgpError(
    ErrorCode.UpdateMessage,
    UpdateSubcode.AttributeFlagsError,
    `UPDATE ${attributeName(h.code)} attribute at offset ${offset}: flags 0x${h.flags.toString(16)} conflict with the type (expected Optional/Transitive 0x${spec.flags.toString(16)})`,
    {
      data: buf.slice(offset, offset + h.headerLength + h.valueLength),
      handling: spec.flagsErrorHandling,
      attributeCode: h.code,
    },
  );
}

/** A single attribute as a self-delimiting wire type (for tests and tools; strict: any error throws). */
export const pathAttributeCodec: WireCodec<PathAttribute> = {
  decode(buf, offset, ctx): Decoded<PathAttribute> {
    const h = readAttributeHeader(buf, offset, buf.length);
    if (!h || offset + h.headerLength + h.valueLength > buf.length) {
      throw new BgpError(
        ErrorCode.UpdateMessage,
        UpdateSubcode.MalformedAttributeList,
        `attribute at offset ${offset}: truncated`,
      );
    }
    const flagsError = checkFlags(buf, offset, h);
    if (flagsError) throw flagsError;
    const r = decodeAttributeValue(buf, offset, h, ctx);
    if (r instanceof BgpError) throw r;
    return { value: r, bytesRead: h.headerLength + h.valueLength };
  },
  write: writeAttribute,
  length: attributeLength,
};
