// One IPVS generic netlink message (the payload after the nlmsghdr): command, version, and the service and
// destination it is about. Requests and dump replies share it (dumps answer with NEW_SERVICE / NEW_DEST).
// Writing goes straight into the buffer (AttrWriter); encodeIpvsRequests writes a whole batch of requests,
// headers included, into one buffer for one sendmsg.
import {
  align4,
  attrsByType,
  decodeGenlMessage,
  GENL_HDRLEN,
  NLA_HDRLEN,
  NLMSG_HDRLEN,
  parseNlAttrs,
  writeNlMsgHeader,
  type GenlMessage,
} from '../../netlink/codec/index.ts';
import { encodeWith, type Codec, type Decoded } from '../../wire/index.ts';
import {
  AttrWriter,
  destAttrsLength,
  parseDestAttrs,
  parseServiceAttrs,
  serviceAttrsLength,
  writeDestAttrs,
  writeServiceAttrs,
  type IpvsDestAttrs,
  type IpvsServiceAttrs,
} from './attrs.ts';
import { IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE, IPVS_GENL_VERSION } from './constants.ts';

export interface IpvsMessage {
  cmd: number;
  service?: IpvsServiceAttrs;
  dest?: IpvsDestAttrs;
}

export interface IpvsMessageContext {
  /** The payload's octets. */
  length: number;
  /** The address family of a destination when the message has no service (GET_DEST dump replies). */
  destFamily?: number;
}

export function fromGenl(g: GenlMessage, destFamily?: number): IpvsMessage {
  const a = attrsByType(g.attrs);
  const m: IpvsMessage = { cmd: g.cmd };
  const svc = a.get(IPVS_CMD_ATTR_SERVICE);
  if (svc) m.service = parseServiceAttrs(parseNlAttrs(svc.data));
  const dest = a.get(IPVS_CMD_ATTR_DEST);
  if (dest) {
    const attrs = parseNlAttrs(dest.data);
    // 0 when unknown: then IPVS_DEST_ATTR_ADDR_FAMILY must say it, or the address is an 'ipvs-bad-family'.
    m.dest = parseDestAttrs(attrs, m.service?.af ?? destFamily ?? 0);
  }
  return m;
}

export function decodeIpvsMessage(buf: Uint8Array, offset: number, ctx: IpvsMessageContext): Decoded<IpvsMessage> {
  const g = decodeGenlMessage(buf, offset, ctx);
  return { value: fromGenl(g.value, ctx.destFamily), bytesRead: g.bytesRead };
}

export function ipvsMessageLength(m: IpvsMessage): number {
  let n = GENL_HDRLEN;
  if (m.service) n += NLA_HDRLEN + serviceAttrsLength(m.service);
  if (m.dest) n += NLA_HDRLEN + destAttrsLength(m.dest);
  return n;
}

function writeBody(m: IpvsMessage, w: AttrWriter, destFamily: number | undefined): void {
  w.buf[w.off] = m.cmd;
  w.buf[w.off + 1] = IPVS_GENL_VERSION;
  w.buf[w.off + 2] = 0;
  w.buf[w.off + 3] = 0;
  w.off += GENL_HDRLEN;
  const svc = m.service;
  if (svc) w.nested(IPVS_CMD_ATTR_SERVICE, () => writeServiceAttrs(svc, w));
  const dest = m.dest;
  if (dest) {
    const af = dest.addrFamily ?? svc?.af ?? destFamily;
    if (af === undefined) throw new RangeError('IPVS destination without an address family');
    w.nested(IPVS_CMD_ATTR_DEST, () => writeDestAttrs(dest, af, w));
  }
}

export function writeIpvsMessage(m: IpvsMessage, buf: Uint8Array, offset: number, ctx: IpvsMessageContext): number {
  const w = new AttrWriter(buf, offset);
  writeBody(m, w, ctx.destFamily);
  return w.off - offset;
}

export function encodeIpvsMessage(m: IpvsMessage, ctx: Omit<IpvsMessageContext, 'length'> = {}): Uint8Array {
  return encodeWith(ipvsMessageCodec, m, { ...ctx, length: ipvsMessageLength(m) });
}

export const ipvsMessageCodec: Codec<IpvsMessage, IpvsMessageContext> = {
  decode: decodeIpvsMessage,
  write: writeIpvsMessage,
  length: ipvsMessageLength,
};

export interface IpvsRequest {
  message: IpvsMessage;
  flags: number;
  seq: number;
}

/** Requests of family `familyId`, headers and all, in one buffer (one sendmsg). */
export function encodeIpvsRequests(requests: readonly IpvsRequest[], familyId: number): Uint8Array {
  const lengths = requests.map((r) => NLMSG_HDRLEN + ipvsMessageLength(r.message));
  let total = 0;
  for (const n of lengths) total += align4(n);
  const buf = new Uint8Array(total);
  const w = new AttrWriter(buf, 0);
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    const start = w.off;
    writeNlMsgHeader({ length: lengths[i]!, type: familyId, flags: r.flags, seq: r.seq, pid: 0 }, buf, start);
    w.off += NLMSG_HDRLEN;
    writeBody(r.message, w, undefined);
    w.off = start + align4(lengths[i]!);
  }
  return buf;
}
