// The frames FerroLB sends: ARP replies, gratuitous ARP (request and reply forms), solicited Neighbor
// Advertisements, unsolicited Neighbor Advertisements with Override.
import {
  ARP_REPLY,
  ARP_REQUEST,
  BROADCAST_MAC,
  ZERO_MAC,
  ALL_NODES,
  ALL_NODES_MAC,
  encodeL2Frame,
} from '../codec/index.ts';

/** Gratuitous ARP, both forms (RFC 5227 §3 request form; reply form for hosts that only learn from replies). */
export function gratuitousArp(ip: string, mac: string): Uint8Array[] {
  const request = encodeL2Frame({
    ethernet: { destination: BROADCAST_MAC, source: mac, etherType: 0x0806 },
    payload: {
      kind: 'arp',
      arp: {
        operation: ARP_REQUEST,
        senderHardwareAddress: mac,
        senderProtocolAddress: ip,
        targetHardwareAddress: ZERO_MAC,
        targetProtocolAddress: ip,
      },
    },
  });
  const reply = encodeL2Frame({
    ethernet: { destination: BROADCAST_MAC, source: mac, etherType: 0x0806 },
    payload: {
      kind: 'arp',
      arp: {
        operation: ARP_REPLY,
        senderHardwareAddress: mac,
        senderProtocolAddress: ip,
        targetHardwareAddress: BROADCAST_MAC,
        targetProtocolAddress: ip,
      },
    },
  });
  return [request, reply];
}

export interface NeighborAdvertisementFrame {
  ip: string;
  mac: string;
  destinationIp: string;
  destinationMac: string;
  solicited: boolean;
}

/** A Neighbor Advertisement for `ip` with Override and our MAC as target link-layer address option. */
export function neighborAdvertisementFrame(o: NeighborAdvertisementFrame): Uint8Array {
  return encodeL2Frame({
    ethernet: { destination: o.destinationMac, source: o.mac, etherType: 0x86dd },
    payload: {
      kind: 'ndp',
      ndp: {
        trafficClass: 0,
        flowLabel: 0,
        hopLimit: 255,
        source: o.ip,
        destination: o.destinationIp,
        message: {
          type: 'neighbor-advertisement',
          router: false,
          solicited: o.solicited,
          override: true,
          reserved: 0,
          targetAddress: o.ip,
          options: [{ kind: 'target-link-layer-address', address: o.mac }],
        },
      },
    },
  });
}

/** Unsolicited NA to all nodes (RFC 4861 §7.2.6), Override set so caches switch to `mac` at once. */
export function unsolicitedAdvertisement(ip: string, mac: string): Uint8Array {
  return neighborAdvertisementFrame({
    ip,
    mac,
    destinationIp: ALL_NODES,
    destinationMac: ALL_NODES_MAC,
    solicited: false,
  });
}

/** The frames announcing `ip` (family from the address text). */
export function announcementFrames(family: 'ipv4' | 'ipv6', ip: string, mac: string): Uint8Array[] {
  return family === 'ipv4' ? gratuitousArp(ip, mac) : [unsolicitedAdvertisement(ip, mac)];
}
