// What every path attribute file provides: its type code, the Optional/Transitive flags it must carry,
// how RFC 7606 handles a flags conflict for it, and its value codec. Value decoders return a Malformed
// (cheap, no stack) instead of throwing; the attribute list turns it into a BgpError with the attribute
// bytes as data and applies the handling.
import type { ErrorHandling } from '../../errors.ts';
import type { AttributeOf, CodecContext, PathAttributeType } from '../model.ts';

export class Malformed {
  readonly subcode: number;
  readonly handling: ErrorHandling;
  readonly why: string;
  constructor(subcode: number, handling: ErrorHandling, why: string) {
    this.subcode = subcode;
    this.handling = handling;
    this.why = why;
  }
}

export interface AttributeValueCodec<T> {
  /** null: a form this codec does not interpret (e.g. MP_REACH_NLRI of another AFI/SAFI): keep raw. */
  decode(buf: Uint8Array, offset: number, length: number, ctx: CodecContext): T | Malformed | null;
  write(value: T, buf: Uint8Array, offset: number, ctx: CodecContext): number;
  length(value: T, ctx: CodecContext): number;
}

export interface AttributeSpec<K extends Exclude<PathAttributeType, 'UNKNOWN'>> {
  type: K;
  code: number;
  /** Expected Optional (0x80) and Transitive (0x40) bits; other bits are not checked. */
  flags: number;
  /** RFC 7606 §3 (c): the approach when the Optional/Transitive bits conflict with `flags`. */
  flagsErrorHandling: ErrorHandling;
  codec: AttributeValueCodec<AttributeOf<K>>;
}

export const WELL_KNOWN = 0x40; // not optional, transitive
export const OPTIONAL_TRANSITIVE = 0xc0;
export const OPTIONAL_NON_TRANSITIVE = 0x80;
