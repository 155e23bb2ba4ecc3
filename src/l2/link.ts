// The narrow transport the Layer 2 shell uses per interface, and its real implementation over the native
// AF_PACKET socket. Unit tests give the shell an in-memory one; integration tests the real one.
import { openPacketSocket, PACKET_OUTGOING } from '../native/index.ts';
import { macBytes } from './codec/index.ts';
import type { InterfaceFacts } from './core/index.ts';
import { listInterfaces, readInterfaceFacts } from './sysfs-interfaces.ts';

export interface LinkFrame {
  frame: Uint8Array;
  /** The kernel says this host sent it. */
  outgoing: boolean;
  /** The kernel stripped an 802.1Q tag from it. */
  vlanTagged: boolean;
}

export interface L2Link {
  /** Sends one Ethernet frame; throws (with an errno `code`) when the kernel refuses it. */
  send(frame: Uint8Array): void;
  /** Joins / leaves an Ethernet multicast group. */
  join(mac: string): void;
  leave(mac: string): void;
  close(): void;
}

export interface L2Io {
  openLink(facts: InterfaceFacts, onFrame: (f: LinkFrame) => void): L2Link;
  /** Facts of an Ethernet interface; undefined for other link types; throws when it does not exist. */
  readFacts(name: string): InterfaceFacts | undefined;
  listInterfaces(): string[];
}

export const packetSocketIo: L2Io = {
  openLink(facts, onFrame) {
    const s = openPacketSocket(
      facts.index,
      (rf) =>
        onFrame({ frame: rf.frame, outgoing: rf.packetType === PACKET_OUTGOING, vlanTagged: rf.vlanTci !== undefined }),
      {
        // 2 MiB: a few thousand queued requests (each frame costs ~1 KiB of buffer) survive a busy event loop.
        receiveBufferBytes: 2 * 1024 * 1024,
      },
    );
    return {
      send: (frame) => void s.send(frame),
      join: (mac) => s.addMembership(macBytes(mac)),
      leave: (mac) => s.dropMembership(macBytes(mac)),
      close: () => s.close(),
    };
  },
  readFacts: (name) => readInterfaceFacts(name),
  listInterfaces: () => listInterfaces(),
};
