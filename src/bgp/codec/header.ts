// The 19-octet message header (RFC 4271 §4.1): 16-octet marker of all ones, 2-octet total length
// (19..4096), 1-octet type. Errors are RFC 4271 §6.1 Message Header Errors (always session-reset).
import { BgpError, ErrorCode, HeaderSubcode } from '../errors.ts';
import { readU16, writeU16 } from '../../wire/bytes.ts';
import { HEADER_LENGTH, MARKER_LENGTH, MAX_MESSAGE_LENGTH, MIN_MESSAGE_LENGTH } from './constants.ts';

export interface Header {
  length: number;
  type: number;
}

/**
 * Stream framing: the total length of the message starting at `offset`, or undefined when fewer than 19
 * octets are available yet. Throws BgpError 1/1 (marker not all ones) or 1/2 (length out of 19..4096).
 */
export function frameLength(buf: Uint8Array, offset: number): number | undefined {
  if (buf.length - offset < HEADER_LENGTH) return undefined;
  return checkHeader(buf, offset).length;
}

/** Checks marker and length of a complete header at `offset` (at least 19 octets must be present). */
export function checkHeader(buf: Uint8Array, offset: number): Header {
  if (offset < 0 || buf.length - offset < HEADER_LENGTH) {
    throw new BgpError(
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageLength,
      `message header at offset ${offset}: only ${Math.max(0, buf.length - offset)} of 19 octets present`,
    );
  }
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) {
      throw new BgpError(
        ErrorCode.MessageHeader,
        HeaderSubcode.ConnectionNotSynchronized,
        `message header at offset ${offset}: marker octet ${i} is 0x${(buf[offset + i] as number).toString(16)}, not 0xff`,
      );
    }
  }
  const length = readU16(buf, offset + MARKER_LENGTH);
  if (length < MIN_MESSAGE_LENGTH || length > MAX_MESSAGE_LENGTH) {
    throw badLength(buf, offset, `length ${length} is outside ${MIN_MESSAGE_LENGTH}..${MAX_MESSAGE_LENGTH}`);
  }
  return { length, type: buf[offset + MARKER_LENGTH + 2] as number };
}

/** 1/2 Bad Message Length; the data is the erroneous Length field (RFC 4271 §6.1). */
export function badLength(buf: Uint8Array, offset: number, why: string): BgpError {
  const data = buf.slice(offset + MARKER_LENGTH, offset + MARKER_LENGTH + 2);
  return new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength, `message at offset ${offset}: ${why}`, {
    data,
  });
}

export function writeHeader(buf: Uint8Array, offset: number, length: number, type: number): void {
  buf.fill(0xff, offset, offset + MARKER_LENGTH);
  writeU16(buf, offset + MARKER_LENGTH, length);
  buf[offset + MARKER_LENGTH + 2] = type;
}
