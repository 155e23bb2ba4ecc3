// The narrow transport the Layer 2 shell uses per interface, and its real implementation over the native
// AF_PACKET socket. Unit tests give the shell an in-memory one; integration tests the real one.
import { openPacketSocketBatch, PACKET_OUTGOING } from '../native/index.ts';
import { macBytes } from './codec/index.ts';
import type { InterfaceFacts } from './core/index.ts';
import { listInterfaces, readInterfaceFacts } from './sysfs-interfaces.ts';

/** FrameHandler flags: the kernel says this host sent it. */
export const FRAME_OUTGOING = 1;
/** The kernel stripped an 802.1Q tag from it. */
export const FRAME_VLAN_TAGGED = 2;
/** It was longer than the receive buffer's room and was cut (never an ARP or NDP frame we answer). */
export const FRAME_TRUNCATED = 4;

/**
 * One received frame: `buf[offset .. offset + length)`, FRAME_* `flags`. `buf` is the transport's receive
 * buffer, valid only during the call (no allocation per frame).
 */
export type FrameHandler = (buf: Uint8Array, offset: number, length: number, flags: number) => void;

/** A received frame as the shell's handleFrame() takes it. */
export interface LinkFrame {
  frame: Uint8Array;
  /** The kernel says this host sent it. */
  outgoing: boolean;
  /** The kernel stripped an 802.1Q tag from it. */
  vlanTagged: boolean;
}

export interface L2Link {
  /**
   * Sends one Ethernet frame (its first `length` octets, default all); throws (with an errno `code`) when
   * the kernel refuses it. The caller may reuse the frame's memory once send() returns.
   */
  send(frame: Uint8Array, length?: number): void;
  /** Joins / leaves an Ethernet multicast group. */
  join(mac: string): void;
  leave(mac: string): void;
  close(): void;
}

export interface L2Io {
  openLink(facts: InterfaceFacts, onFrame: FrameHandler): L2Link;
  /** Facts of an Ethernet interface; undefined for other link types; throws when it does not exist. */
  readFacts(name: string): InterfaceFacts | undefined;
  listInterfaces(): string[];
}

export const packetSocketIo: L2Io = {
  openLink(facts, onFrame) {
    const s = openPacketSocketBatch(
      facts.index,
      (b) => {
        for (let i = 0; i < b.count; i++) {
          const flags =
            (b.packetType(i) === PACKET_OUTGOING ? FRAME_OUTGOING : 0) |
            (b.vlanTci(i) >= 0 ? FRAME_VLAN_TAGGED : 0) |
            (b.truncated(i) ? FRAME_TRUNCATED : 0);
          onFrame(b.rx, b.offset(i), b.length(i), flags);
        }
      },
      {
        // 2 MiB: a few thousand queued requests (each frame costs ~1 KiB of buffer) survive a busy event loop.
        receiveBufferBytes: 2 * 1024 * 1024,
      },
    );
    return {
      send: (frame, length) => void s.send(frame, length),
      join: (mac) => s.addMembership(macBytes(mac)),
      leave: (mac) => s.dropMembership(macBytes(mac)),
      close: () => s.close(),
    };
  },
  readFacts: (name) => readInterfaceFacts(name),
  listInterfaces: () => listInterfaces(),
};
