// IPVS_CMD_ATTR_SERVICE and IPVS_CMD_ATTR_DEST contents as plain objects (every field optional, as on the
// wire: requests carry what the command needs, dumps carry everything). Addresses are union nf_inet_addr
// (16 octets; IPv4 in the first 4) read in the family given by IPVS_SVC_ATTR_AF / IPVS_DEST_ATTR_ADDR_FAMILY.
import { formatIp } from '../../net/ip.ts';
import {
  align4,
  attrsByType,
  HOST_LE,
  hostU32,
  NLA_F_NESTED,
  NLA_HDRLEN,
  readAttrBe16,
  readAttrString,
  readAttrU16,
  readAttrU32,
  type NlAttr,
} from '../../netlink/codec/index.ts';
import { checkUint, DecodeError, readBig } from '../../wire/index.ts';
import { writeInetAddr } from './address.ts';
import * as K from './constants.ts';

export interface IpvsFlags {
  flags: number;
  mask: number;
}

export interface IpvsServiceAttrs {
  /** AF_INET (2) or AF_INET6 (10). */
  af: number;
  protocol?: number;
  /** Address text in the family of `af`. */
  address?: string;
  port?: number;
  fwmark?: number;
  schedName?: string;
  flags?: IpvsFlags;
  /** Persistence timeout, seconds. */
  timeout?: number;
  /** IPv4: a mask (0xffffffff: per client address); IPv6: a prefix length. */
  netmask?: number;
  peName?: string;
}

export interface IpvsDestAttrs {
  address?: string;
  port?: number;
  fwdMethod?: number;
  weight?: number;
  uThresh?: number;
  lThresh?: number;
  activeConns?: number;
  inactConns?: number;
  persistConns?: number;
  addrFamily?: number;
}

function addressText(a: NlAttr, af: number, what: string): string {
  const n = af === K.AF_INET ? 4 : af === K.AF_INET6 ? 16 : 0;
  if (n === 0)
    throw new DecodeError('ipvs-bad-family', `${what}: address family ${af} is neither AF_INET nor AF_INET6`);
  if (a.data.length < n)
    throw new DecodeError('nla-bad-size', `${what}: ${a.data.length} octets, needs ${n} for family ${af}`);
  return formatIp(n === 4 ? 'ipv4' : 'ipv6', readBig(a.data, 0, n));
}

// ---- writing (straight into the buffer: one request per plan change, thousands per full sync) ----

const ATTR_U16 = 8;
const ATTR_U32 = 8;
const ATTR_ADDR = 20;

const stringLength = (s: string): number => align4(NLA_HDRLEN + s.length + 1);

/** A little writer over one buffer: attribute headers and scalars in host order (ports in network order). */
export class AttrWriter {
  readonly buf: Uint8Array;
  readonly dv: DataView;
  off: number;
  constructor(buf: Uint8Array, off: number) {
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.off = off;
  }
  #hdr(len: number, type: number): void {
    this.dv.setUint16(this.off, len, HOST_LE);
    this.dv.setUint16(this.off + 2, type, HOST_LE);
  }
  u16(type: number, v: number, what: string, networkOrder = false): void {
    checkUint(v, 16, what);
    this.#hdr(6, type);
    this.dv.setUint16(this.off + 4, v, !networkOrder && HOST_LE);
    this.dv.setUint16(this.off + 6, 0);
    this.off += ATTR_U16;
  }
  u32(type: number, v: number, what: string): void {
    checkUint(v, 32, what);
    this.#hdr(8, type);
    this.dv.setUint32(this.off + 4, v, HOST_LE);
    this.off += ATTR_U32;
  }
  addr(type: number, text: string, af: number, what: string): void {
    this.#hdr(ATTR_ADDR, type);
    writeInetAddr(text, af, this.buf, this.off + 4, what);
    this.off += ATTR_ADDR;
  }
  /** A NUL-terminated string (scheduler and PE names: ASCII). */
  string(type: number, s: string): void {
    const len = NLA_HDRLEN + s.length + 1;
    this.#hdr(len, type);
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c > 127) throw new RangeError(`attribute ${type}: "${s}" is not ASCII`);
      this.buf[this.off + 4 + k] = c;
    }
    this.buf.fill(0, this.off + 4 + s.length, this.off + align4(len));
    this.off += align4(len);
  }
  /** Two __u32 in host order as one attribute (struct ip_vs_flags). */
  u32Pair(type: number, a: number, b: number, what: string): void {
    checkUint(a, 32, what);
    checkUint(b, 32, what);
    this.#hdr(12, type);
    this.dv.setUint32(this.off + 4, a, HOST_LE);
    this.dv.setUint32(this.off + 8, b, HOST_LE);
    this.off += 12;
  }
  /** Writes a nested attribute whose contents `body` writes. */
  nested(type: number, body: () => void): void {
    const start = this.off;
    this.off += NLA_HDRLEN;
    body();
    const len = this.off - start;
    this.dv.setUint16(start, len, HOST_LE);
    this.dv.setUint16(start + 2, type | NLA_F_NESTED, HOST_LE);
  }
}

/** Octets of the service's attributes (the nested attribute's contents). */
export function serviceAttrsLength(s: IpvsServiceAttrs): number {
  let n = ATTR_U16;
  if (s.protocol !== undefined) n += ATTR_U16;
  if (s.address !== undefined) n += ATTR_ADDR;
  if (s.port !== undefined) n += ATTR_U16;
  if (s.fwmark !== undefined) n += ATTR_U32;
  if (s.schedName !== undefined) n += stringLength(s.schedName);
  if (s.flags !== undefined) n += NLA_HDRLEN + 8;
  if (s.timeout !== undefined) n += ATTR_U32;
  if (s.netmask !== undefined) n += ATTR_U32;
  if (s.peName !== undefined) n += stringLength(s.peName);
  return n;
}

export function writeServiceAttrs(s: IpvsServiceAttrs, w: AttrWriter): void {
  w.u16(K.IPVS_SVC_ATTR_AF, s.af, 'IPVS_SVC_ATTR_AF');
  if (s.protocol !== undefined) w.u16(K.IPVS_SVC_ATTR_PROTOCOL, s.protocol, 'IPVS_SVC_ATTR_PROTOCOL');
  if (s.address !== undefined) w.addr(K.IPVS_SVC_ATTR_ADDR, s.address, s.af, 'IPVS_SVC_ATTR_ADDR');
  if (s.port !== undefined) w.u16(K.IPVS_SVC_ATTR_PORT, s.port, 'IPVS_SVC_ATTR_PORT', true);
  if (s.fwmark !== undefined) w.u32(K.IPVS_SVC_ATTR_FWMARK, s.fwmark, 'IPVS_SVC_ATTR_FWMARK');
  if (s.schedName !== undefined) w.string(K.IPVS_SVC_ATTR_SCHED_NAME, s.schedName);
  // struct ip_vs_flags: {flags, mask} (the kernel reads the attribute with memcpy).
  if (s.flags !== undefined) w.u32Pair(K.IPVS_SVC_ATTR_FLAGS, s.flags.flags, s.flags.mask, 'IPVS_SVC_ATTR_FLAGS');
  if (s.timeout !== undefined) w.u32(K.IPVS_SVC_ATTR_TIMEOUT, s.timeout, 'IPVS_SVC_ATTR_TIMEOUT');
  if (s.netmask !== undefined) w.u32(K.IPVS_SVC_ATTR_NETMASK, s.netmask, 'IPVS_SVC_ATTR_NETMASK');
  if (s.peName !== undefined) w.string(K.IPVS_SVC_ATTR_PE_NAME, s.peName);
}

export function parseServiceAttrs(attrs: readonly NlAttr[]): IpvsServiceAttrs {
  const a = attrsByType(attrs);
  const af = a.get(K.IPVS_SVC_ATTR_AF);
  if (!af) throw new DecodeError('ipvs-missing-attribute', 'IPVS service without IPVS_SVC_ATTR_AF');
  const s: IpvsServiceAttrs = { af: readAttrU16(af, 'IPVS_SVC_ATTR_AF') };
  const get = (t: number): NlAttr | undefined => a.get(t);
  let x: NlAttr | undefined;
  if ((x = get(K.IPVS_SVC_ATTR_PROTOCOL))) s.protocol = readAttrU16(x, 'IPVS_SVC_ATTR_PROTOCOL');
  if ((x = get(K.IPVS_SVC_ATTR_ADDR))) s.address = addressText(x, s.af, 'IPVS_SVC_ATTR_ADDR');
  if ((x = get(K.IPVS_SVC_ATTR_PORT))) s.port = readAttrBe16(x, 'IPVS_SVC_ATTR_PORT');
  if ((x = get(K.IPVS_SVC_ATTR_FWMARK))) s.fwmark = readAttrU32(x, 'IPVS_SVC_ATTR_FWMARK');
  if ((x = get(K.IPVS_SVC_ATTR_SCHED_NAME))) s.schedName = readAttrString(x);
  if ((x = get(K.IPVS_SVC_ATTR_FLAGS))) {
    if (x.data.length < 8)
      throw new DecodeError(
        'nla-bad-size',
        `IPVS_SVC_ATTR_FLAGS: ${x.data.length} octets, needs 8 (struct ip_vs_flags)`,
      );
    s.flags = { flags: hostU32(x.data, 0), mask: hostU32(x.data, 4) };
  }
  if ((x = get(K.IPVS_SVC_ATTR_TIMEOUT))) s.timeout = readAttrU32(x, 'IPVS_SVC_ATTR_TIMEOUT');
  if ((x = get(K.IPVS_SVC_ATTR_NETMASK))) s.netmask = readAttrU32(x, 'IPVS_SVC_ATTR_NETMASK');
  if ((x = get(K.IPVS_SVC_ATTR_PE_NAME))) s.peName = readAttrString(x);
  return s;
}

const DEST_U32: [number, keyof IpvsDestAttrs, string][] = [
  [K.IPVS_DEST_ATTR_FWD_METHOD, 'fwdMethod', 'IPVS_DEST_ATTR_FWD_METHOD'],
  [K.IPVS_DEST_ATTR_WEIGHT, 'weight', 'IPVS_DEST_ATTR_WEIGHT'],
  [K.IPVS_DEST_ATTR_U_THRESH, 'uThresh', 'IPVS_DEST_ATTR_U_THRESH'],
  [K.IPVS_DEST_ATTR_L_THRESH, 'lThresh', 'IPVS_DEST_ATTR_L_THRESH'],
  [K.IPVS_DEST_ATTR_ACTIVE_CONNS, 'activeConns', 'IPVS_DEST_ATTR_ACTIVE_CONNS'],
  [K.IPVS_DEST_ATTR_INACT_CONNS, 'inactConns', 'IPVS_DEST_ATTR_INACT_CONNS'],
  [K.IPVS_DEST_ATTR_PERSIST_CONNS, 'persistConns', 'IPVS_DEST_ATTR_PERSIST_CONNS'],
];

export function destAttrsLength(d: IpvsDestAttrs): number {
  let n = 0;
  if (d.address !== undefined) n += ATTR_ADDR;
  if (d.port !== undefined) n += ATTR_U16;
  for (const [, k] of DEST_U32) if (d[k] !== undefined) n += ATTR_U32;
  if (d.addrFamily !== undefined) n += ATTR_U16;
  return n;
}

/** `af`: the address family of the destination's address (the service's unless addrFamily says otherwise). */
export function writeDestAttrs(d: IpvsDestAttrs, af: number, w: AttrWriter): void {
  if (d.address !== undefined) w.addr(K.IPVS_DEST_ATTR_ADDR, d.address, d.addrFamily ?? af, 'IPVS_DEST_ATTR_ADDR');
  if (d.port !== undefined) w.u16(K.IPVS_DEST_ATTR_PORT, d.port, 'IPVS_DEST_ATTR_PORT', true);
  for (const [t, k, what] of DEST_U32) {
    const v = d[k] as number | undefined;
    if (v !== undefined) w.u32(t, v, what);
  }
  if (d.addrFamily !== undefined) w.u16(K.IPVS_DEST_ATTR_ADDR_FAMILY, d.addrFamily, 'IPVS_DEST_ATTR_ADDR_FAMILY');
}

export function parseDestAttrs(attrs: readonly NlAttr[], af: number): IpvsDestAttrs {
  const a = attrsByType(attrs);
  const d: IpvsDestAttrs = {};
  let x: NlAttr | undefined;
  if ((x = a.get(K.IPVS_DEST_ATTR_ADDR_FAMILY))) d.addrFamily = readAttrU16(x, 'IPVS_DEST_ATTR_ADDR_FAMILY');
  if ((x = a.get(K.IPVS_DEST_ATTR_ADDR))) d.address = addressText(x, d.addrFamily ?? af, 'IPVS_DEST_ATTR_ADDR');
  if ((x = a.get(K.IPVS_DEST_ATTR_PORT))) d.port = readAttrBe16(x, 'IPVS_DEST_ATTR_PORT');
  for (const [t, k, what] of DEST_U32) if ((x = a.get(t))) (d as Record<string, number>)[k] = readAttrU32(x, what);
  return d;
}
