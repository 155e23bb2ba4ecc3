// One netlink message: the header's type, flags, sequence and port id, and the payload (the header's length
// is derived). Messages follow each other in a buffer, each padded to 4 octets; the last one's padding may
// be missing. decodeNlMessages reads a whole buffer (one sendmsg or one recv).
import { DecodeError, encodeWith, need, type Codec, type Decoded } from '../../wire/index.ts';
import { align4 } from './host-order.ts';
import { decodeNlMsgHeader, NLMSG_HDRLEN, writeNlMsgHeader } from './nlmsghdr.ts';

export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

export function decodeNlMessage(buf: Uint8Array, offset: number): Decoded<NlMessage> {
  const { value: h } = decodeNlMsgHeader(buf, offset);
  need(buf, offset, h.length, `netlink message type ${h.type} seq ${h.seq}`);
  const payload = buf.slice(offset + NLMSG_HDRLEN, offset + h.length);
  return {
    value: { type: h.type, flags: h.flags, seq: h.seq, pid: h.pid, payload },
    bytesRead: Math.min(align4(h.length), buf.length - offset),
  };
}

export function nlMessageLength(m: NlMessage): number {
  return align4(NLMSG_HDRLEN + m.payload.length);
}

export function writeNlMessage(m: NlMessage, buf: Uint8Array, offset: number): number {
  const length = NLMSG_HDRLEN + m.payload.length;
  writeNlMsgHeader({ length, type: m.type, flags: m.flags, seq: m.seq, pid: m.pid }, buf, offset);
  buf.set(m.payload, offset + NLMSG_HDRLEN);
  const padded = align4(length);
  buf.fill(0, offset + length, offset + padded);
  return padded;
}

export function encodeNlMessage(m: NlMessage): Uint8Array {
  return encodeWith(nlMessageCodec, m, undefined);
}

export const nlMessageCodec: Codec<NlMessage> = {
  decode: decodeNlMessage,
  write: writeNlMessage,
  length: nlMessageLength,
};

/** Every message in `buf` (a trailing fragment shorter than a header is an error, not ignored). */
export function decodeNlMessages(buf: Uint8Array): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < NLMSG_HDRLEN)
      throw new DecodeError('truncated', `netlink: ${buf.length - off} stray octets after the last message`, off);
    const { value, bytesRead } = decodeNlMessage(buf, off);
    out.push(value);
    off += bytesRead;
  }
  return out;
}

/** Several messages in one buffer, for one sendmsg. */
export function encodeNlMessages(ms: readonly NlMessage[]): Uint8Array {
  let total = 0;
  for (const m of ms) total += nlMessageLength(m);
  const buf = new Uint8Array(total);
  let off = 0;
  for (const m of ms) off += writeNlMessage(m, buf, off);
  return buf;
}
