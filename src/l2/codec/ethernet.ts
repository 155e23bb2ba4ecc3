// Ethernet II header (IEEE 802.3 framing with an EtherType), with at most one IEEE 802.1Q / 802.1ad tag.
// Decoding reads the header only (14 or 18 octets); the payload follows at offset + bytesRead.
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
import { readMac, writeMac } from './mac.ts';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

export interface VlanTag {
  /** Tag protocol identifier: 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
  tpid: number;
  /** Priority code point, 0..7. */
  priority: number;
  dropEligible: boolean;
  /** VLAN identifier, 0..4095. */
  id: number;
}

export interface EthernetHeader {
  destination: string;
  source: string;
  vlan?: VlanTag;
  /** EtherType of the payload (after the tag, when there is one). */
  etherType: number;
}

export function decodeEthernetHeader(buf: Uint8Array, offset: number): Decoded<EthernetHeader> {
  need(buf, offset, 14, 'Ethernet header');
  const destination = readMac(buf, offset);
  const source = readMac(buf, offset + 6);
  const type = readU16(buf, offset + 12);
  if (type !== ETHERTYPE_VLAN && type !== ETHERTYPE_QINQ) {
    if (type < 0x0600)
      throw new DecodeError(
        'ethernet-not-ethernet-ii',
        `Ethernet header: length field ${type} (802.3 frame), not an EtherType`,
        offset + 12,
      );
    return { value: { destination, source, etherType: type }, bytesRead: 14 };
  }
  need(buf, offset, 18, 'Ethernet 802.1Q tag');
  const tci = readU16(buf, offset + 14);
  const etherType = readU16(buf, offset + 16);
  if (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
    throw new DecodeError('ethernet-stacked-vlan', 'Ethernet header: stacked VLAN tags are not supported', offset + 16);
  }
  const vlan: VlanTag = { tpid: type, priority: tci >>> 13, dropEligible: (tci & 0x1000) !== 0, id: tci & 0x0fff };
  return { value: { destination, source, vlan, etherType }, bytesRead: 18 };
}

export function ethernetHeaderLength(value: EthernetHeader): number {
  return value.vlan ? 18 : 14;
}

export function writeEthernetHeader(value: EthernetHeader, buf: Uint8Array, offset: number): number {
  checkUint(value.etherType, 16, 'Ethernet etherType');
  writeMac(buf, offset, value.destination);
  writeMac(buf, offset + 6, value.source);
  if (!value.vlan) {
    writeU16(buf, offset + 12, value.etherType);
    return 14;
  }
  const v = value.vlan;
  if (!Number.isInteger(v.priority) || v.priority < 0 || v.priority > 7)
    throw new RangeError(`VLAN priority ${v.priority} is not 0..7`);
  if (!Number.isInteger(v.id) || v.id < 0 || v.id > 4095) throw new RangeError(`VLAN id ${v.id} is not 0..4095`);
  writeU16(buf, offset + 12, v.tpid);
  writeU16(buf, offset + 14, (v.priority << 13) | (v.dropEligible ? 0x1000 : 0) | v.id);
  writeU16(buf, offset + 16, value.etherType);
  return 18;
}

export function encodeEthernetHeader(value: EthernetHeader): Uint8Array {
  return encodeWith(ethernetHeaderCodec, value, undefined);
}

export const ethernetHeaderCodec: Codec<EthernetHeader> = {
  decode: decodeEthernetHeader,
  write: writeEthernetHeader,
  length: ethernetHeaderLength,
};
