// Typed wrapper over the addon's PacketSocket: one AF_PACKET socket per interface, kernel-filtered to ARP
// and ICMPv6 Neighbor Solicitation/Advertisement, delivering frames on the event loop (no thread, no poll).
// Two ways to read: openPacketSocketBatch hands over the socket's receive arena once per wake-up (no
// allocation per frame: what a responder on the hot path wants); openPacketSocket copies each frame out.
import { nativeAddon } from './addon.ts';

/** sll_pkttype of a frame this host sent. */
export const PACKET_OUTGOING = 4;

export interface ReceivedFrame {
  frame: Uint8Array;
  /** sll_pkttype: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 outgoing. */
  packetType: number;
  /** The 802.1Q tag the kernel stripped (PACKET_AUXDATA), undefined when untagged. */
  vlanTci?: number;
  /** The frame was longer than the room the arena had for it (more than 9,234 octets) and was cut. */
  truncated?: boolean;
  /** Kernel receive time, CLOCK_REALTIME in ns (with the `timestamps` option). */
  timestampNs?: bigint;
}

/**
 * Frames of one wake-up: frame i is `rx[offset(i) .. offset(i) + length(i))`. Only valid during the
 * callback: the next batch overwrites the arena.
 */
export interface PacketBatch {
  readonly rx: Uint8Array;
  readonly count: number;
  offset(i: number): number;
  length(i: number): number;
  packetType(i: number): number;
  /** -1 when untagged. */
  vlanTci(i: number): number;
  truncated(i: number): boolean;
  /** CLOCK_REALTIME ns, 0n without the `timestamps` option. */
  timestampNs(i: number): bigint;
}

export interface PacketSocket {
  /** Sends the first `length` octets of `frame` (default: all of it) without copying it. */
  send(frame: Uint8Array, length?: number): number;
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
  /** Do not receive the frames this host sends (PACKET_IGNORE_OUTGOING; default true). */
  ignoreOutgoing?: boolean;
  /** Kernel receive timestamps (SO_TIMESTAMPNS; default false). */
  timestamps?: boolean;
}

// Layout of the addon's metadata: kMetaStride int32 per frame (packet-socket.h).
const STRIDE = 8;

class Batch implements PacketBatch {
  readonly rx: Uint8Array;
  readonly #meta: Int32Array;
  count = 0;
  constructor(rx: Uint8Array, meta: Int32Array) {
    this.rx = rx;
    this.#meta = meta;
  }
  offset(i: number): number {
    return this.#meta[i * STRIDE]!;
  }
  length(i: number): number {
    return this.#meta[i * STRIDE + 1]!;
  }
  packetType(i: number): number {
    return this.#meta[i * STRIDE + 2]!;
  }
  vlanTci(i: number): number {
    return this.#meta[i * STRIDE + 3]!;
  }
  truncated(i: number): boolean {
    return this.#meta[i * STRIDE + 4] !== 0;
  }
  timestampNs(i: number): bigint {
    return BigInt(this.#meta[i * STRIDE + 5]! >>> 0) * 1_000_000_000n + BigInt(this.#meta[i * STRIDE + 6]!);
  }
}

/** The socket; `onBatch` gets every wake-up's frames at once, in the socket's reused arena. */
export function openPacketSocketBatch(
  ifindex: number,
  onBatch: (b: PacketBatch) => void,
  opts: PacketSocketOptions = {},
): PacketSocket {
  const { PacketSocket } = nativeAddon();
  // The callback runs on later event-loop turns only, after `batch` exists.
  const s = new PacketSocket({ ifindex, ...opts }, (count) => {
    batch.count = count;
    onBatch(batch);
  });
  const batch = new Batch(s.rx, s.meta);
  let closed = false;
  return {
    send: (frame, length) => s.send(frame, length),
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

/** The socket, one callback per frame with its own copy (simple; for probes and tools). */
export function openPacketSocket(
  ifindex: number,
  onFrame: (f: ReceivedFrame) => void,
  opts: PacketSocketOptions = {},
): PacketSocket {
  return openPacketSocketBatch(
    ifindex,
    (b) => {
      for (let i = 0; i < b.count; i++) {
        const off = b.offset(i);
        const f: ReceivedFrame = { frame: b.rx.slice(off, off + b.length(i)), packetType: b.packetType(i) };
        if (b.vlanTci(i) >= 0) f.vlanTci = b.vlanTci(i);
        if (b.truncated(i)) f.truncated = true;
        if (opts.timestamps) f.timestampNs = b.timestampNs(i);
        onFrame(f);
      }
    },
    opts,
  );
}
