// The one codec model. Every wire type (BGP messages and attributes, BFD control packets, memberlist
// messages, Ethernet/ARP/NDP frames) is a module with the same functions, named after the type X:
//
//   decodeX(buf, offset[, ctx]) → { value, bytesRead }   throws a DecodeError (or a subclass) on bad input
//   writeX(value, buf, offset[, ctx]) → bytes written      writes into a buffer the caller sized
//   xLength(value[, ctx]) → number                         exactly what writeX writes
//   encodeX(value[, ctx]) → Uint8Array                     allocates: xLength, then writeX
//
// A dispatch table per message family maps type codes to such modules. Decoders never read past the
// bytes they were given and never return partial values; a DecodeError's `code` is a stable reason
// (counted as a metric by whoever drops the input) and its message says where and why. One generic
// round-trip test (test/helpers/codec-roundtrip.ts) is passed by every type.

/** What a decoder returns: the value and how many octets it consumed. */
export interface Decoded<T> {
  value: T;
  bytesRead: number;
}

/** The three functions of a wire type, for dispatch tables and the generic round-trip test. */
export interface Codec<T, C = undefined> {
  decode(buf: Uint8Array, offset: number, ctx: C): Decoded<T>;
  write(value: T, buf: Uint8Array, offset: number, ctx: C): number;
  length(value: T, ctx: C): number;
}

/** Bad input on the wire. `code` is a stable, kebab-case reason; `offset` where in the buffer it was found. */
export class DecodeError extends Error {
  readonly code: string;
  readonly offset: number;

  constructor(code: string, message: string, offset = 0) {
    super(message);
    this.name = 'DecodeError';
    this.code = code;
    this.offset = offset;
  }
}

/** Throws DecodeError('truncated') unless `n` octets are there from `offset`. */
export function need(buf: Uint8Array, offset: number, n: number, what: string): void {
  if (offset < 0 || offset + n > buf.length) {
    throw new DecodeError(
      'truncated',
      `${what}: needs ${n} octets at offset ${offset}, ${Math.max(0, buf.length - offset)} left`,
      offset,
    );
  }
}

/** Allocates and writes one value with its codec (the generic form of encodeX). */
export function encodeWith<T, C>(codec: Codec<T, C>, value: T, ctx: C): Uint8Array {
  const buf = new Uint8Array(codec.length(value, ctx));
  const n = codec.write(value, buf, 0, ctx);
  if (n !== buf.length) throw new RangeError(`codec wrote ${n} octets but its length() said ${buf.length}`);
  return buf;
}
