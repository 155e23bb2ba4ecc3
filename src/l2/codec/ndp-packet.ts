// An IPv6 packet carrying a Neighbor Solicitation or Advertisement: the IPv6 header (payload length and
// next header 58 derived on write) and the message, with the RFC 4861 §7.1 validity checks on decode
// (hop limit 255, ICMPv6 checksum, code 0).
import { DecodeError, encodeWith, need, type Codec, type Decoded } from '../../wire/index.ts';
import { decodeIpv6Header, IPV6_HEADER_LENGTH, NEXT_HEADER_ICMPV6, writeIpv6Header } from './ipv6-header.ts';
import {
  decodeNeighborAdvertisement,
  ICMPV6_NEIGHBOR_ADVERTISEMENT,
  neighborAdvertisementLength,
  writeNeighborAdvertisement,
  type NeighborAdvertisement,
} from './neighbor-advertisement.ts';
import {
  decodeNeighborSolicitation,
  ICMPV6_NEIGHBOR_SOLICITATION,
  neighborSolicitationLength,
  writeNeighborSolicitation,
  type NeighborSolicitation,
} from './neighbor-solicitation.ts';

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

export interface NdpPacket {
  trafficClass: number;
  flowLabel: number;
  /** RFC 4861 requires 255 (the packet was not forwarded by a router). */
  hopLimit: number;
  source: string;
  destination: string;
  message: NdpMessage;
}

/** True when the IPv6 packet at `offset` is ICMPv6 type 135 or 136 (checked before decoding it as NDP). */
export function isNdp(buf: Uint8Array, offset: number): boolean {
  if (buf.length < offset + IPV6_HEADER_LENGTH + 1 || buf[offset + 6] !== NEXT_HEADER_ICMPV6) return false;
  const type = buf[offset + IPV6_HEADER_LENGTH];
  return type === ICMPV6_NEIGHBOR_SOLICITATION || type === ICMPV6_NEIGHBOR_ADVERTISEMENT;
}

export function decodeNdpPacket(buf: Uint8Array, offset: number): Decoded<NdpPacket> {
  const { value: ip } = decodeIpv6Header(buf, offset);
  if (ip.nextHeader !== NEXT_HEADER_ICMPV6) {
    throw new DecodeError(
      'ndp-not-icmpv6',
      `NDP packet: IPv6 next header ${ip.nextHeader}, expected 58 (ICMPv6)`,
      offset + 6,
    );
  }
  if (ip.hopLimit !== 255) {
    throw new DecodeError('ndp-hop-limit', `NDP packet: hop limit ${ip.hopLimit}, RFC 4861 requires 255`, offset + 7);
  }
  const start = offset + IPV6_HEADER_LENGTH;
  need(buf, start, ip.payloadLength, 'NDP packet payload');
  const ctx = { source: ip.source, destination: ip.destination, messageLength: ip.payloadLength };
  need(buf, start, 1, 'NDP packet ICMPv6 type');
  const type = buf[start] as number;
  let message: NdpMessage;
  if (type === ICMPV6_NEIGHBOR_SOLICITATION) message = decodeNeighborSolicitation(buf, start, ctx).value;
  else if (type === ICMPV6_NEIGHBOR_ADVERTISEMENT) message = decodeNeighborAdvertisement(buf, start, ctx).value;
  else
    throw new DecodeError(
      'ndp-not-neighbor-discovery',
      `NDP packet: ICMPv6 type ${type} is neither 135 (NS) nor 136 (NA)`,
      start,
    );
  return {
    value: {
      trafficClass: ip.trafficClass,
      flowLabel: ip.flowLabel,
      hopLimit: ip.hopLimit,
      source: ip.source,
      destination: ip.destination,
      message,
    },
    bytesRead: IPV6_HEADER_LENGTH + ip.payloadLength,
  };
}

function messageLength(m: NdpMessage): number {
  return m.type === 'neighbor-solicitation' ? neighborSolicitationLength(m) : neighborAdvertisementLength(m);
}

export function ndpPacketLength(value: NdpPacket): number {
  return IPV6_HEADER_LENGTH + messageLength(value.message);
}

export function writeNdpPacket(value: NdpPacket, buf: Uint8Array, offset: number): number {
  const payloadLength = messageLength(value.message);
  writeIpv6Header({ ...value, payloadLength, nextHeader: NEXT_HEADER_ICMPV6 }, buf, offset);
  const ctx = { source: value.source, destination: value.destination };
  const m = value.message;
  const start = offset + IPV6_HEADER_LENGTH;
  if (m.type === 'neighbor-solicitation') writeNeighborSolicitation(m, buf, start, ctx);
  else writeNeighborAdvertisement(m, buf, start, ctx);
  return IPV6_HEADER_LENGTH + payloadLength;
}

export function encodeNdpPacket(value: NdpPacket): Uint8Array {
  return encodeWith(ndpPacketCodec, value, undefined);
}

export const ndpPacketCodec: Codec<NdpPacket> = {
  decode: decodeNdpPacket,
  write: writeNdpPacket,
  length: ndpPacketLength,
};
