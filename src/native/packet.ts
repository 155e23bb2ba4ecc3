// Typed wrapper over the addon's PacketSocket: one AF_PACKET socket per interface, kernel-filtered to ARP
// and ICMPv6 Neighbor Solicitation/Advertisement, delivering frames on the event loop (no thread, no poll).
import { nativeAddon } from './addon.ts';

/** sll_pkttype of a frame this host sent. */
export const PACKET_OUTGOING = 4;

export interface ReceivedFrame {
  frame: Buffer;
  /** sll_pkttype: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 outgoing. */
  packetType: number;
  /** The 802.1Q tag the kernel stripped (PACKET_AUXDATA), undefined when untagged. */
  vlanTci?: number;
}

export interface PacketSocket {
  send(frame: Uint8Array): number;
  addMembership(mac: Uint8Array): void;
  dropMembership(mac: Uint8Array): void;
  statistics(): { packets: number; drops: number };
  close(): void;
  /** unref(): the socket alone does not keep the process alive. */
  unref(): void;
  ref(): void;
}

export interface PacketSocketOptions {
  /** SO_RCVBUF(FORCE) in bytes; default: the kernel's (net.core.rmem_default). */
  receiveBufferBytes?: number;
}

export function openPacketSocket(
  ifindex: number,
  onFrame: (f: ReceivedFrame) => void,
  opts: PacketSocketOptions = {},
): PacketSocket {
  const { PacketSocket } = nativeAddon();
  const s = new PacketSocket(
    opts.receiveBufferBytes === undefined ? { ifindex } : { ifindex, receiveBufferBytes: opts.receiveBufferBytes },
    (frame, packetType, vlanTci) => onFrame(vlanTci < 0 ? { frame, packetType } : { frame, packetType, vlanTci }),
  );
  let closed = false;
  return {
    send: (frame) => s.send(frame),
    addMembership: (mac) => s.addMembership(mac),
    dropMembership: (mac) => s.dropMembership(mac),
    statistics: () => s.statistics(),
    close: () => {
      if (closed) return;
      closed = true;
      s.close();
    },
    unref: () => s.unref(),
    ref: () => s.ref(),
  };
}
