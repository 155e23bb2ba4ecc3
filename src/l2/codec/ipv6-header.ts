// The IPv6 fixed header (RFC 8200 §3), 40 octets. NDP messages never carry extension headers.
import {
  checkUint,
  DecodeError,
  encodeWith,
  need,
  readU16,
  readU32,
  writeU16,
  writeU32,
  type Codec,
  type Decoded,
} from '../../wire/index.ts';
import { readIpv6, writeIpv6 } from './ip-bytes.ts';

export const IPV6_HEADER_LENGTH = 40;
export const NEXT_HEADER_ICMPV6 = 58;

export interface Ipv6Header {
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  source: string;
  destination: string;
}

export function decodeIpv6Header(buf: Uint8Array, offset: number): Decoded<Ipv6Header> {
  need(buf, offset, IPV6_HEADER_LENGTH, 'IPv6 header');
  const first = readU32(buf, offset);
  if (first >>> 28 !== 6)
    throw new DecodeError('ipv6-bad-version', `IPv6 header: version ${first >>> 28}, expected 6`, offset);
  return {
    value: {
      trafficClass: (first >>> 20) & 0xff,
      flowLabel: first & 0xfffff,
      payloadLength: readU16(buf, offset + 4),
      nextHeader: buf[offset + 6] as number,
      hopLimit: buf[offset + 7] as number,
      source: readIpv6(buf, offset + 8),
      destination: readIpv6(buf, offset + 24),
    },
    bytesRead: IPV6_HEADER_LENGTH,
  };
}

export function ipv6HeaderLength(): number {
  return IPV6_HEADER_LENGTH;
}

export function writeIpv6Header(value: Ipv6Header, buf: Uint8Array, offset: number): number {
  checkUint(value.trafficClass, 8, 'IPv6 trafficClass');
  if (!Number.isInteger(value.flowLabel) || value.flowLabel < 0 || value.flowLabel > 0xfffff) {
    throw new RangeError(`IPv6 flowLabel: ${value.flowLabel} is not a 20-bit unsigned integer`);
  }
  checkUint(value.payloadLength, 16, 'IPv6 payloadLength');
  checkUint(value.nextHeader, 8, 'IPv6 nextHeader');
  checkUint(value.hopLimit, 8, 'IPv6 hopLimit');
  writeU32(buf, offset, ((6 << 28) | (value.trafficClass << 20) | value.flowLabel) >>> 0);
  writeU16(buf, offset + 4, value.payloadLength);
  buf[offset + 6] = value.nextHeader;
  buf[offset + 7] = value.hopLimit;
  writeIpv6(buf, offset + 8, value.source);
  writeIpv6(buf, offset + 24, value.destination);
  return IPV6_HEADER_LENGTH;
}

export function encodeIpv6Header(value: Ipv6Header): Uint8Array {
  return encodeWith(ipv6HeaderCodec, value, undefined);
}

export const ipv6HeaderCodec: Codec<Ipv6Header> = {
  decode: decodeIpv6Header,
  write: writeIpv6Header,
  length: ipv6HeaderLength,
};
