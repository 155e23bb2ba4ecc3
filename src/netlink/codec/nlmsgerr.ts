// The payload of an NLMSG_ERROR message (struct nlmsgerr): the error (0: an ACK; else a negative errno), the
// header of the request it answers, the rest of that request unless the reply is capped (NLM_F_CAPPED:
// NETLINK_CAP_ACK, and every ACK), then extended-ACK attributes when NLM_F_ACK_TLVS is set (the kernel's
// message, the offset of the offending attribute). The outer message's flags are the context.
import { encodeWith, need, type Codec, type Decoded } from '../../wire/index.ts';
import { align4, hostI32, setHostI32 } from './host-order.ts';
import { decodeNlAttrs, nlAttrsLength, readAttrString, writeNlAttrs, type NlAttr } from './nlattr.ts';
import {
  decodeNlMsgHeader,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  writeNlMsgHeader,
  type NlMsgHeader,
} from './nlmsghdr.ts';

export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;

export interface NlMsgErr {
  /** 0 for an ACK, else -errno. */
  error: number;
  request: NlMsgHeader;
  /** The request after its header (empty when capped). */
  requestPayload: Uint8Array;
  /** Extended-ACK attributes (NLMSGERR_ATTR_*). */
  tlvs: NlAttr[];
}

export interface NlMsgErrContext {
  /** The NLMSG_ERROR message's own flags. */
  flags: number;
  /** Its payload's octets (the extended-ACK attributes run to its end). */
  length: number;
}

export function decodeNlMsgErr(buf: Uint8Array, offset: number, ctx: NlMsgErrContext): Decoded<NlMsgErr> {
  need(buf, offset, Math.max(ctx.length, 4 + NLMSG_HDRLEN), 'nlmsgerr');
  const end = offset + ctx.length;
  const error = hostI32(buf, offset);
  const { value: request } = decodeNlMsgHeader(buf, offset + 4);
  let off = offset + 4 + NLMSG_HDRLEN;
  let requestPayload = new Uint8Array(0);
  if ((ctx.flags & NLM_F_CAPPED) === 0) {
    const n = request.length - NLMSG_HDRLEN;
    need(buf, off, n, 'nlmsgerr: the copy of the request');
    requestPayload = buf.slice(off, off + n);
    off += align4(n);
  }
  let tlvs: NlAttr[] = [];
  if ((ctx.flags & NLM_F_ACK_TLVS) !== 0 && off < end) {
    tlvs = decodeNlAttrs(buf, off, { length: end - off }).value;
    off = end;
  }
  return { value: { error, request, requestPayload, tlvs }, bytesRead: Math.max(off, end) - offset };
}

export function nlMsgErrLength(e: NlMsgErr, ctx: Pick<NlMsgErrContext, 'flags'>): number {
  const copy = (ctx.flags & NLM_F_CAPPED) === 0 ? align4(e.requestPayload.length) : 0;
  const tlvs = (ctx.flags & NLM_F_ACK_TLVS) !== 0 ? nlAttrsLength(e.tlvs) : 0;
  return 4 + NLMSG_HDRLEN + copy + tlvs;
}

export function writeNlMsgErr(e: NlMsgErr, buf: Uint8Array, offset: number, ctx: NlMsgErrContext): number {
  setHostI32(buf, offset, e.error);
  writeNlMsgHeader(e.request, buf, offset + 4);
  let off = offset + 4 + NLMSG_HDRLEN;
  if ((ctx.flags & NLM_F_CAPPED) === 0) {
    buf.set(e.requestPayload, off);
    buf.fill(0, off + e.requestPayload.length, off + align4(e.requestPayload.length));
    off += align4(e.requestPayload.length);
  }
  if ((ctx.flags & NLM_F_ACK_TLVS) !== 0) off += writeNlAttrs(e.tlvs, buf, off);
  return off - offset;
}

export function encodeNlMsgErr(e: NlMsgErr, flags: number): Uint8Array {
  return encodeWith(nlMsgErrCodec, e, { flags, length: nlMsgErrLength(e, { flags }) });
}

export const nlMsgErrCodec: Codec<NlMsgErr, NlMsgErrContext> = {
  decode: decodeNlMsgErr,
  write: writeNlMsgErr,
  length: nlMsgErrLength,
};

/** The kernel's extended-ACK message, if it gave one. */
export function extackMessage(e: NlMsgErr): string | undefined {
  const a = e.tlvs.find((t) => t.type === NLMSGERR_ATTR_MSG);
  return a && readAttrString(a);
}
