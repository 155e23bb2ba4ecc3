// ARP (RFC 826) for IPv4 over Ethernet: hardware type 1, protocol type 0x0800, 6- and 4-octet addresses.
// Anything else is a DecodeError ('arp-unsupported'): FerroLB only answers for IPv4 on Ethernet.
import {
  checkUint,
  DecodeError,
  encodeWith,
  need,
  readU16,
  writeU16,
  type Codec,
  type Decoded,
} from '../../wire/index.ts';
import { readIpv4, writeIpv4 } from './ip-bytes.ts';
import { readMac, writeMac } from './mac.ts';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
export const ARP_LENGTH = 28;

export interface ArpPacket {
  /** 1 request, 2 reply (other values decode; the responder ignores them). */
  operation: number;
  senderHardwareAddress: string;
  senderProtocolAddress: string;
  targetHardwareAddress: string;
  targetProtocolAddress: string;
}

export function decodeArp(buf: Uint8Array, offset: number): Decoded<ArpPacket> {
  need(buf, offset, ARP_LENGTH, 'ARP packet');
  const htype = readU16(buf, offset);
  const ptype = readU16(buf, offset + 2);
  const hlen = buf[offset + 4] as number;
  const plen = buf[offset + 5] as number;
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) {
    throw new DecodeError(
      'arp-unsupported',
      `ARP packet: hardware type ${htype}, protocol type 0x${ptype.toString(16)}, lengths ${hlen}/${plen}; only Ethernet/IPv4 (1, 0x0800, 6/4) is handled`,
      offset,
    );
  }
  return {
    value: {
      operation: readU16(buf, offset + 6),
      senderHardwareAddress: readMac(buf, offset + 8),
      senderProtocolAddress: readIpv4(buf, offset + 14),
      targetHardwareAddress: readMac(buf, offset + 18),
      targetProtocolAddress: readIpv4(buf, offset + 24),
    },
    bytesRead: ARP_LENGTH,
  };
}

export function arpLength(): number {
  return ARP_LENGTH;
}

export function writeArp(value: ArpPacket, buf: Uint8Array, offset: number): number {
  checkUint(value.operation, 16, 'ARP operation');
  writeU16(buf, offset, 1);
  writeU16(buf, offset + 2, 0x0800);
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  writeU16(buf, offset + 6, value.operation);
  writeMac(buf, offset + 8, value.senderHardwareAddress);
  writeIpv4(buf, offset + 14, value.senderProtocolAddress);
  writeMac(buf, offset + 18, value.targetHardwareAddress);
  writeIpv4(buf, offset + 24, value.targetProtocolAddress);
  return ARP_LENGTH;
}

export function encodeArp(value: ArpPacket): Uint8Array {
  return encodeWith(arpCodec, value, undefined);
}

export const arpCodec: Codec<ArpPacket> = { decode: decodeArp, write: writeArp, length: arpLength };
