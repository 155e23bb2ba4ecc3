// Solicited-node multicast (RFC 4291 §2.7.1): ff02::1:ffXX:XXXX from the low 24 bits of an address, and
// its Ethernet group address 33:33:ff:XX:XX:XX (RFC 2464 §7). A Neighbor Solicitation for an address that
// is not yet resolved goes there, so the responder joins the group of every owned IPv6 address.
import { formatIp, parseIp } from '../../net/ip.ts';
import { parseAddress } from './ip-bytes.ts';

export const ALL_NODES = 'ff02::1';
export const ALL_NODES_MAC = '33:33:00:00:00:01';

function low24(ip: string): bigint {
  const p = parseIp(ip);
  if (p?.family !== 'ipv6') throw new RangeError(`"${ip}" is not an IPv6 address`);
  return p.value & 0xffffffn;
}

export function solicitedNodeAddress(ip: string): string {
  return formatIp('ipv6', 0xff020000000000000000000000000000n | 0x1ff000000n | low24(ip));
}

export function solicitedNodeMac(ip: string): string {
  const a = parseAddress(ip);
  if (a?.family !== 'ipv6') throw new RangeError(`"${ip}" is not an IPv6 address`);
  const h = (n: number): string => n.toString(16).padStart(2, '0');
  return `33:33:ff:${h(a.bytes[13] as number)}:${h(a.bytes[14] as number)}:${h(a.bytes[15] as number)}`;
}

/** The Ethernet address an IPv6 multicast address maps to (RFC 2464 §7): 33:33 and its low 32 bits. */
export function ipv6MulticastMac(ip: string): string {
  const p = parseIp(ip);
  if (p?.family !== 'ipv6') throw new RangeError(`"${ip}" is not an IPv6 address`);
  const v = Number(p.value & 0xffffffffn);
  const h = (n: number): string => n.toString(16).padStart(2, '0');
  return `33:33:${h(v >>> 24)}:${h((v >>> 16) & 0xff)}:${h((v >>> 8) & 0xff)}:${h(v & 0xff)}`;
}
