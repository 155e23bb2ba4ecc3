// One IPVS generic netlink message (the payload after the nlmsghdr): command, version, and the service and
// destination it is about. Requests and dump replies share it (dumps answer with NEW_SERVICE / NEW_DEST).
import {
  attrNested,
  attrsByType,
  decodeGenlMessage,
  genlMessageLength,
  parseNlAttrs,
  writeGenlMessage,
  type GenlMessage,
  type NlAttr,
} from '../../netlink/codec/index.ts';
import { encodeWith, type Codec, type Decoded } from '../../wire/index.ts';
import {
  destAttrs,
  parseDestAttrs,
  parseServiceAttrs,
  serviceAttrs,
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

export function toGenl(m: IpvsMessage, destFamily?: number): GenlMessage {
  const attrs: NlAttr[] = [];
  if (m.service) attrs.push(attrNested(IPVS_CMD_ATTR_SERVICE, serviceAttrs(m.service)));
  if (m.dest) {
    const af = m.dest.addrFamily ?? m.service?.af ?? destFamily;
    if (af === undefined) throw new RangeError('IPVS destination without an address family');
    attrs.push(attrNested(IPVS_CMD_ATTR_DEST, destAttrs(m.dest, af)));
  }
  return { cmd: m.cmd, version: IPVS_GENL_VERSION, attrs };
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

export function ipvsMessageLength(m: IpvsMessage, ctx: IpvsMessageContext): number {
  return genlMessageLength(toGenl(m, ctx.destFamily));
}

export function writeIpvsMessage(m: IpvsMessage, buf: Uint8Array, offset: number, ctx: IpvsMessageContext): number {
  return writeGenlMessage(toGenl(m, ctx.destFamily), buf, offset);
}

export function encodeIpvsMessage(m: IpvsMessage, ctx: Omit<IpvsMessageContext, 'length'> = {}): Uint8Array {
  const full = { ...ctx, length: ipvsMessageLength(m, { ...ctx, length: 0 }) };
  return encodeWith(ipvsMessageCodec, m, full);
}

export const ipvsMessageCodec: Codec<IpvsMessage, IpvsMessageContext> = {
  decode: decodeIpvsMessage,
  write: writeIpvsMessage,
  length: ipvsMessageLength,
};
