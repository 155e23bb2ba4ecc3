// IPVS_CMD_ATTR_SERVICE and IPVS_CMD_ATTR_DEST contents as plain objects (every field optional, as on the
// wire: requests carry what the command needs, dumps carry everything). Addresses are union nf_inet_addr
// (16 octets; IPv4 in the first 4) read in the family given by IPVS_SVC_ATTR_AF / IPVS_DEST_ATTR_ADDR_FAMILY.
import { formatIp, parseIp } from '../../net/ip.ts';
import {
  attrBe16,
  attrBytes,
  attrsByType,
  attrString,
  attrU16,
  attrU32,
  hostU32,
  readAttrBe16,
  readAttrString,
  readAttrU16,
  readAttrU32,
  setHostU32,
  type NlAttr,
} from '../../netlink/codec/index.ts';
import { DecodeError, readBig, writeBig } from '../../wire/index.ts';
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

function addressBytes(text: string, af: number, what: string): Uint8Array {
  const ip = parseIp(text);
  const want = af === K.AF_INET6 ? 'ipv6' : af === K.AF_INET ? 'ipv4' : undefined;
  if (!ip || ip.family !== want) throw new RangeError(`${what}: "${text}" is not an address of family ${af}`);
  const d = new Uint8Array(16);
  writeBig(d, 0, want === 'ipv4' ? 4 : 16, ip.value);
  return d;
}

function addressText(a: NlAttr, af: number, what: string): string {
  const n = af === K.AF_INET ? 4 : af === K.AF_INET6 ? 16 : 0;
  if (n === 0)
    throw new DecodeError('ipvs-bad-family', `${what}: address family ${af} is neither AF_INET nor AF_INET6`);
  if (a.data.length < n)
    throw new DecodeError('nla-bad-size', `${what}: ${a.data.length} octets, needs ${n} for family ${af}`);
  return formatIp(n === 4 ? 'ipv4' : 'ipv6', readBig(a.data, 0, n));
}

export function serviceAttrs(s: IpvsServiceAttrs): NlAttr[] {
  const out = [attrU16(K.IPVS_SVC_ATTR_AF, s.af)];
  if (s.protocol !== undefined) out.push(attrU16(K.IPVS_SVC_ATTR_PROTOCOL, s.protocol));
  if (s.address !== undefined)
    out.push(attrBytes(K.IPVS_SVC_ATTR_ADDR, addressBytes(s.address, s.af, 'IPVS_SVC_ATTR_ADDR')));
  if (s.port !== undefined) out.push(attrBe16(K.IPVS_SVC_ATTR_PORT, s.port));
  if (s.fwmark !== undefined) out.push(attrU32(K.IPVS_SVC_ATTR_FWMARK, s.fwmark));
  if (s.schedName !== undefined) out.push(attrString(K.IPVS_SVC_ATTR_SCHED_NAME, s.schedName));
  if (s.flags !== undefined) {
    // struct ip_vs_flags: two __u32 in host order (the kernel reads the attribute with memcpy).
    const d = new Uint8Array(8);
    setHostU32(d, 0, s.flags.flags);
    setHostU32(d, 4, s.flags.mask);
    out.push(attrBytes(K.IPVS_SVC_ATTR_FLAGS, d));
  }
  if (s.timeout !== undefined) out.push(attrU32(K.IPVS_SVC_ATTR_TIMEOUT, s.timeout));
  if (s.netmask !== undefined) out.push(attrU32(K.IPVS_SVC_ATTR_NETMASK, s.netmask));
  if (s.peName !== undefined) out.push(attrString(K.IPVS_SVC_ATTR_PE_NAME, s.peName));
  return out;
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

/** `af`: the address family of the destination's address (the service's unless addrFamily says otherwise). */
export function destAttrs(d: IpvsDestAttrs, af: number): NlAttr[] {
  const fam = d.addrFamily ?? af;
  const out: NlAttr[] = [];
  if (d.address !== undefined)
    out.push(attrBytes(K.IPVS_DEST_ATTR_ADDR, addressBytes(d.address, fam, 'IPVS_DEST_ATTR_ADDR')));
  if (d.port !== undefined) out.push(attrBe16(K.IPVS_DEST_ATTR_PORT, d.port));
  const u32s: [number, number | undefined][] = [
    [K.IPVS_DEST_ATTR_FWD_METHOD, d.fwdMethod],
    [K.IPVS_DEST_ATTR_WEIGHT, d.weight],
    [K.IPVS_DEST_ATTR_U_THRESH, d.uThresh],
    [K.IPVS_DEST_ATTR_L_THRESH, d.lThresh],
    [K.IPVS_DEST_ATTR_ACTIVE_CONNS, d.activeConns],
    [K.IPVS_DEST_ATTR_INACT_CONNS, d.inactConns],
    [K.IPVS_DEST_ATTR_PERSIST_CONNS, d.persistConns],
  ];
  for (const [t, v] of u32s) if (v !== undefined) out.push(attrU32(t, v));
  if (d.addrFamily !== undefined) out.push(attrU16(K.IPVS_DEST_ATTR_ADDR_FAMILY, d.addrFamily));
  return out;
}

export function parseDestAttrs(attrs: readonly NlAttr[], af: number): IpvsDestAttrs {
  const a = attrsByType(attrs);
  const d: IpvsDestAttrs = {};
  let x: NlAttr | undefined;
  if ((x = a.get(K.IPVS_DEST_ATTR_ADDR_FAMILY))) d.addrFamily = readAttrU16(x, 'IPVS_DEST_ATTR_ADDR_FAMILY');
  if ((x = a.get(K.IPVS_DEST_ATTR_ADDR))) d.address = addressText(x, d.addrFamily ?? af, 'IPVS_DEST_ATTR_ADDR');
  if ((x = a.get(K.IPVS_DEST_ATTR_PORT))) d.port = readAttrBe16(x, 'IPVS_DEST_ATTR_PORT');
  const u32s: [number, keyof IpvsDestAttrs, string][] = [
    [K.IPVS_DEST_ATTR_FWD_METHOD, 'fwdMethod', 'IPVS_DEST_ATTR_FWD_METHOD'],
    [K.IPVS_DEST_ATTR_WEIGHT, 'weight', 'IPVS_DEST_ATTR_WEIGHT'],
    [K.IPVS_DEST_ATTR_U_THRESH, 'uThresh', 'IPVS_DEST_ATTR_U_THRESH'],
    [K.IPVS_DEST_ATTR_L_THRESH, 'lThresh', 'IPVS_DEST_ATTR_L_THRESH'],
    [K.IPVS_DEST_ATTR_ACTIVE_CONNS, 'activeConns', 'IPVS_DEST_ATTR_ACTIVE_CONNS'],
    [K.IPVS_DEST_ATTR_INACT_CONNS, 'inactConns', 'IPVS_DEST_ATTR_INACT_CONNS'],
    [K.IPVS_DEST_ATTR_PERSIST_CONNS, 'persistConns', 'IPVS_DEST_ATTR_PERSIST_CONNS'],
  ];
  for (const [t, k, what] of u32s) if ((x = a.get(t))) (d as Record<string, number>)[k] = readAttrU32(x, what);
  return d;
}
