// The ICMPv6 checksum (RFC 4443 §2.3): one's complement sum over the IPv6 pseudo-header (RFC 8200 §8.1:
// source, destination, upper-layer length, next header 58) and the ICMPv6 message.
import { ipv6Bytes } from './ip-bytes.ts';

function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let s = acc;
  let i = start;
  for (; i + 1 < end; i += 2) s += ((b[i] as number) << 8) | (b[i + 1] as number);
  if (i < end) s += (b[i] as number) << 8;
  return s;
}

/**
 * The checksum of `message` (an ICMPv6 message whose checksum field is taken as it is) between `source`
 * and `destination`. Writing: compute with the field zeroed and store the result. Verifying: compute
 * with the field as received; a correct message gives 0.
 */
export function icmpv6Checksum(source: string, destination: string, message: Uint8Array): number {
  let s = sum16(ipv6Bytes(source), 0, 16, 0);
  s = sum16(ipv6Bytes(destination), 0, 16, s);
  s += (message.length >>> 16) + (message.length & 0xffff) + 58;
  s = sum16(message, 0, message.length, s);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** Addresses the checksum covers: the enclosing IPv6 header's. */
export interface NdpContext {
  source: string;
  destination: string;
  /** The ICMPv6 message's length (the IPv6 payload length); decoders default to the rest of the buffer. */
  messageLength?: number;
}
