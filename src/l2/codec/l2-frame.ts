// A whole Ethernet frame as the packet socket sees it: the Ethernet header and an ARP packet, an NDP
// packet, or (for anything else) the EtherType only. Trailing octets (Ethernet padding to 60 octets) are
// not part of the value: bytesRead stops where the ARP or IPv6 packet ends.
import { encodeWith, type Codec, type Decoded } from '../../wire/index.ts';
import { arpLength, decodeArp, writeArp, type ArpPacket } from './arp.ts';
import {
  decodeEthernetHeader,
  ethernetHeaderLength,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  writeEthernetHeader,
  type EthernetHeader,
} from './ethernet.ts';
import { decodeNdpPacket, isNdp, ndpPacketLength, writeNdpPacket, type NdpPacket } from './ndp-packet.ts';

export type L2Payload = { kind: 'arp'; arp: ArpPacket } | { kind: 'ndp'; ndp: NdpPacket } | { kind: 'other' };

export interface L2Frame {
  ethernet: EthernetHeader;
  payload: L2Payload;
}

export function decodeL2Frame(buf: Uint8Array, offset: number): Decoded<L2Frame> {
  const eth = decodeEthernetHeader(buf, offset);
  const start = offset + eth.bytesRead;
  if (eth.value.etherType === ETHERTYPE_ARP) {
    const arp = decodeArp(buf, start);
    return {
      value: { ethernet: eth.value, payload: { kind: 'arp', arp: arp.value } },
      bytesRead: eth.bytesRead + arp.bytesRead,
    };
  }
  // Too short to tell is decoded as NDP, so a truncated packet is a DecodeError rather than "other".
  if (eth.value.etherType === ETHERTYPE_IPV6 && (buf.length < start + 41 || isNdp(buf, start))) {
    const ndp = decodeNdpPacket(buf, start);
    return {
      value: { ethernet: eth.value, payload: { kind: 'ndp', ndp: ndp.value } },
      bytesRead: eth.bytesRead + ndp.bytesRead,
    };
  }
  return { value: { ethernet: eth.value, payload: { kind: 'other' } }, bytesRead: eth.bytesRead };
}

export function l2FrameLength(value: L2Frame): number {
  const p = value.payload;
  return (
    ethernetHeaderLength(value.ethernet) +
    (p.kind === 'arp' ? arpLength() : p.kind === 'ndp' ? ndpPacketLength(p.ndp) : 0)
  );
}

export function writeL2Frame(value: L2Frame, buf: Uint8Array, offset: number): number {
  const p = value.payload;
  const etherType = p.kind === 'arp' ? ETHERTYPE_ARP : p.kind === 'ndp' ? ETHERTYPE_IPV6 : value.ethernet.etherType;
  let n = writeEthernetHeader({ ...value.ethernet, etherType }, buf, offset);
  if (p.kind === 'arp') n += writeArp(p.arp, buf, offset + n);
  else if (p.kind === 'ndp') n += writeNdpPacket(p.ndp, buf, offset + n);
  return n;
}

export function encodeL2Frame(value: L2Frame): Uint8Array {
  return encodeWith(l2FrameCodec, value, undefined);
}

export const l2FrameCodec: Codec<L2Frame> = { decode: decodeL2Frame, write: writeL2Frame, length: l2FrameLength };
