// Loads the compiled addon (build/Release/ferrolb_native.node, built by node-gyp during `npm ci`) and
// gives it types. Loading is lazy so that code which never needs the addon runs where it is not built.
import { fileURLToPath } from 'node:url';

export interface Md5Entry {
  /** Peer address (IPv4 or IPv6 literal). On an IPv6 socket an IPv4 peer is keyed as ::ffff:a.b.c.d. */
  peer: string;
  /** RFC 2385 key, 1..80 bytes (strings are UTF-8 encoded). */
  key: string | Uint8Array;
}

export interface CreateTcpSocketOptions {
  family: 4 | 6;
  localAddress?: string;
  localPort?: number;
  device?: string;
  ttl?: number;
  minTtl?: number;
  md5?: Md5Entry[];
  reuseAddress?: boolean;
}

export interface SocketOptionsReadback {
  family: 4 | 6;
  ttl: number;
  minTtl: number;
  device: string;
}

export interface UdpSocketOptions {
  family: 4 | 6;
  localAddress?: string;
  /** 0 = any free port. */
  port: number;
  device?: string;
  reuseAddress?: boolean;
  /** TTL / hop limit of sent datagrams. */
  ttl?: number;
}

/** `ttl` is -1 when the kernel reported none. */
export type UdpMessageHandler = (data: Buffer, address: string, port: number, ttl: number) => void;

export interface NativeUdpSocket {
  /** Sends without blocking; returns bytes sent; throws with the errno code (EAGAIN, ECONNREFUSED...). */
  send(data: Uint8Array, address: string, port: number): number;
  close(): void;
  ref(): void;
  unref(): void;
  localPort(): number;
}

/** `count` frames were received into the socket's `rx` arena and described in its `meta` (see packet.ts). */
export type PacketBatchHandler = (count: number) => void;

export interface NativePacketSocket {
  /** Receive arena and per-frame metadata (packet.ts reads them); valid during the batch callback only. */
  readonly rx: Uint8Array;
  readonly meta: Int32Array;
  /** Sends one whole Ethernet frame (its first `length` octets) without blocking or copying; returns octets
   * sent; throws with the errno code. */
  send(frame: Uint8Array, length?: number): number;
  /** Joins / leaves an Ethernet multicast group (PACKET_ADD_MEMBERSHIP / PACKET_DROP_MEMBERSHIP). */
  addMembership(mac: Uint8Array): void;
  dropMembership(mac: Uint8Array): void;
  /** Frames received and dropped (receive buffer full) since the previous call. */
  statistics(): { packets: number; drops: number };
  close(): void;
  ref(): void;
  unref(): void;
}

export interface NativeNetlinkSocket {
  /** Sends the buffer of netlink messages in one sendmsg and returns every reply received until each request
   * with NLM_F_ACK got its NLMSG_ERROR and each dump its NLMSG_DONE/NLMSG_ERROR; throws with the errno code. */
  exchange(messages: Uint8Array): Buffer;
  close(): void;
  portId(): number;
}

export interface NativeAddon {
  createTcpSocket(opts: CreateTcpSocketOptions): number;
  setMd5Key(fd: number, peer: string, key: string | Uint8Array | null): void;
  socketOptions(fd: number): SocketOptionsReadback;
  closeFd(fd: number): void;
  /** Drops this process's clean pages of its own executable from its page tables (code-pages.cc): they map
   * again from the page cache when next run. `bytes`: the resident bytes released. */
  releaseExecutablePages(): { mappings: number; bytes: number };
  /** With onMessage, a thread reads datagrams with their TTL; without, the socket only sends. */
  UdpSocket: new (opts: UdpSocketOptions, onMessage?: UdpMessageHandler) => NativeUdpSocket;
  /** AF_PACKET bound to one interface, kernel-filtered to ARP and ICMPv6 NS/NA, read on the event loop. */
  PacketSocket: new (
    opts: { ifindex: number; receiveBufferBytes?: number; ignoreOutgoing?: boolean; timestamps?: boolean },
    onBatch: PacketBatchHandler,
  ) => NativePacketSocket;
  /** AF_NETLINK of the given protocol, used synchronously (see netlink-socket.h). */
  NetlinkSocket: new (opts: {
    protocol: number;
    receiveBufferBytes?: number;
    timeoutMs?: number;
  }) => NativeNetlinkSocket;
}

export const ADDON_PATH = fileURLToPath(new URL('../../build/Release/ferrolb_native.node', import.meta.url));

export class NativeAddonMissingError extends Error {
  readonly code = 'ERR_FERROLB_NATIVE_MISSING';
  constructor(cause: unknown) {
    super(
      `the FerroLB native addon could not be loaded from ${ADDON_PATH} ` +
        `(${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}); ` +
        'run `npm ci` (or `npx node-gyp rebuild`) in the repository root to build it',
      { cause },
    );
    this.name = 'NativeAddonMissingError';
  }
}

let loaded: NativeAddon | undefined;

/** The addon; throws NativeAddonMissingError (with the fix to apply) when it is not built. */
export function nativeAddon(): NativeAddon {
  if (loaded) return loaded;
  try {
    // What require() does for a .node file, without node:module (which the speaker otherwise never loads).
    const m = { exports: {} };
    process.dlopen(m, ADDON_PATH);
    loaded = m.exports as NativeAddon;
  } catch (err) {
    throw new NativeAddonMissingError(err);
  }
  return loaded;
}
