// struct nlmsghdr (include/uapi/linux/netlink.h): length (header included), type, flags, sequence number,
// sender port id — 16 octets in host byte order — followed by the payload, padded to 4 octets.
import { checkUint, DecodeError, encodeWith, need, type Codec, type Decoded } from '../../wire/index.ts';
import { hostU16, hostU32, setHostU16, setHostU32 } from './host-order.ts';

export const NLMSG_HDRLEN = 16;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
/** Types below this are netlink's own; families start here (GENL_ID_CTRL is 0x10). */
export const NLMSG_MIN_TYPE = 0x10;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_ECHO = 0x8;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** On an NLMSG_ERROR: the copy of the request was cut to its header (NETLINK_CAP_ACK). */
export const NLM_F_CAPPED = 0x100;
/** On an NLMSG_ERROR: extended-ACK attributes follow (NETLINK_EXT_ACK). */
export const NLM_F_ACK_TLVS = 0x200;

export interface NlMsgHeader {
  /** nlmsg_len: the whole message, header included, without the trailing padding. */
  length: number;
  type: number;
  flags: number;
  seq: number;
  /** nlmsg_pid: the sender's port id (0: the kernel). */
  pid: number;
}

export function decodeNlMsgHeader(buf: Uint8Array, offset: number): Decoded<NlMsgHeader> {
  need(buf, offset, NLMSG_HDRLEN, 'nlmsghdr');
  const length = hostU32(buf, offset);
  if (length < NLMSG_HDRLEN)
    throw new DecodeError('nlmsg-bad-length', `nlmsghdr: length ${length} is shorter than the header`, offset);
  return {
    value: {
      length,
      type: hostU16(buf, offset + 4),
      flags: hostU16(buf, offset + 6),
      seq: hostU32(buf, offset + 8),
      pid: hostU32(buf, offset + 12),
    },
    bytesRead: NLMSG_HDRLEN,
  };
}

export function writeNlMsgHeader(h: NlMsgHeader, buf: Uint8Array, offset: number): number {
  checkUint(h.length, 32, 'nlmsghdr length');
  checkUint(h.type, 16, 'nlmsghdr type');
  checkUint(h.flags, 16, 'nlmsghdr flags');
  checkUint(h.seq, 32, 'nlmsghdr seq');
  checkUint(h.pid, 32, 'nlmsghdr pid');
  setHostU32(buf, offset, h.length);
  setHostU16(buf, offset + 4, h.type);
  setHostU16(buf, offset + 6, h.flags);
  setHostU32(buf, offset + 8, h.seq);
  setHostU32(buf, offset + 12, h.pid);
  return NLMSG_HDRLEN;
}

export function nlMsgHeaderLength(): number {
  return NLMSG_HDRLEN;
}

export function encodeNlMsgHeader(h: NlMsgHeader): Uint8Array {
  return encodeWith(nlMsgHeaderCodec, h, undefined);
}

export const nlMsgHeaderCodec: Codec<NlMsgHeader> = {
  decode: decodeNlMsgHeader,
  write: writeNlMsgHeader,
  length: nlMsgHeaderLength,
};
