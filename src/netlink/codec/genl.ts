// Generic netlink (include/uapi/linux/genetlink.h): after the nlmsghdr, struct genlmsghdr (command, family
// version, 2 reserved octets), then the command's attributes. The nlmsghdr type is the family id (resolved
// by name through the controller, ctrl.ts).
import { DecodeError, encodeWith, need, type Codec, type Decoded } from '../../wire/index.ts';
import { decodeNlAttrs, nlAttrsLength, writeNlAttrs, type NlAttr } from './nlattr.ts';

export const GENL_HDRLEN = 4;

export interface GenlMessage {
  cmd: number;
  version: number;
  attrs: NlAttr[];
}

/** ctx.length: the payload's octets (the nlmsghdr length less the header). */
export function decodeGenlMessage(buf: Uint8Array, offset: number, ctx: { length: number }): Decoded<GenlMessage> {
  if (ctx.length < GENL_HDRLEN)
    throw new DecodeError('genl-truncated', `generic netlink message: ${ctx.length} octets, needs 4`, offset);
  need(buf, offset, ctx.length, 'generic netlink message');
  const attrs = decodeNlAttrs(buf, offset + GENL_HDRLEN, { length: ctx.length - GENL_HDRLEN }).value;
  return { value: { cmd: buf[offset] as number, version: buf[offset + 1] as number, attrs }, bytesRead: ctx.length };
}

export function genlMessageLength(m: GenlMessage): number {
  return GENL_HDRLEN + nlAttrsLength(m.attrs);
}

export function writeGenlMessage(m: GenlMessage, buf: Uint8Array, offset: number): number {
  buf[offset] = m.cmd;
  buf[offset + 1] = m.version;
  buf[offset + 2] = 0;
  buf[offset + 3] = 0;
  return GENL_HDRLEN + writeNlAttrs(m.attrs, buf, offset + GENL_HDRLEN);
}

export function encodeGenlMessage(m: GenlMessage): Uint8Array {
  return encodeWith(genlMessageCodec, m, { length: genlMessageLength(m) });
}

export const genlMessageCodec: Codec<GenlMessage, { length: number }> = {
  decode: decodeGenlMessage,
  write: (m, buf, offset) => writeGenlMessage(m, buf, offset),
  length: (m) => genlMessageLength(m),
};

/** The generic netlink message carried in a netlink message's payload. */
export function parseGenlPayload(payload: Uint8Array): GenlMessage {
  return decodeGenlMessage(payload, 0, { length: payload.length }).value;
}
