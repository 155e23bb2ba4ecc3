// IPv4/IPv6 addresses in packets ↔ canonical text (src/net's formatIp), the form owned-IP sets are keyed by.
import { formatIp, parseIp } from '../../net/ip.ts';
import { readBig, readU32, writeBig, writeU32 } from '../../wire/index.ts';

export function readIpv4(b: Uint8Array, o: number): string {
  return formatIp('ipv4', BigInt(readU32(b, o)));
}

export function readIpv6(b: Uint8Array, o: number): string {
  return formatIp('ipv6', readBig(b, o, 16));
}

export function writeIpv4(b: Uint8Array, o: number, text: string): void {
  const ip = parseIp(text);
  if (ip?.family !== 'ipv4') throw new RangeError(`"${text}" is not an IPv4 address`);
  writeU32(b, o, Number(ip.value));
}

export function writeIpv6(b: Uint8Array, o: number, text: string): void {
  const ip = parseIp(text);
  if (ip?.family !== 'ipv6') throw new RangeError(`"${text}" is not an IPv6 address`);
  writeBig(b, o, 16, ip.value);
}

export function ipv6Bytes(text: string): Uint8Array {
  const b = new Uint8Array(16);
  writeIpv6(b, 0, text);
  return b;
}
