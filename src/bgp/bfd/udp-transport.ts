// RFC 5881 (single hop, port 3784) / RFC 5883 (multihop, port 4784) transport over the addon's UdpSocket (node:dgram can neither report a received TTL nor bind
// to a device): control packets go to UDP 3784 from a per-session source port in 49152–65535 with TTL /
// hop limit 255, and are received on <local>:3784 with their TTL so GTSM can be checked. One receiving
// socket per local address (and device) is shared by all sessions on it, demultiplexed by peer address.
// With `device` (e.g. a VRF) both sockets are bound to it.
import net from 'node:net';
import { canonicalIp, formatIp, parseIp } from '../../net/ip.ts';
import { nativeAddon } from '../../native/index.ts';
import type { NativeUdpSocket } from '../../native/index.ts';
import type { BfdPacketMeta, BfdTransport, BfdTransportFactory } from './transport.ts';
import { BFD_CONTROL_PORT, BFD_MULTIHOP_PORT, BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, BFD_TTL } from './types.ts';

type Handler = (bytes: Uint8Array, meta: BfdPacketMeta) => void;

interface SharedReceiver {
  receiver: NativeUdpSocket;
  peers: Map<string, Handler>;
}

const receivers = new Map<string, SharedReceiver>();

/** Tests may bind the receivers elsewhere than 3784 / 4784 (never needed in production). */
export const transportPorts = { control: BFD_CONTROL_PORT, multihop: BFD_MULTIHOP_PORT };

function receiverKey(local: string, port: number, device: string | undefined): string {
  return `${local}:${port}%${device ?? ''}`;
}

function receiverFor(local: string, port: number, family: 4 | 6, device: string | undefined): SharedReceiver {
  const key = receiverKey(local, port, device);
  let shared = receivers.get(key);
  if (shared) return shared;
  const peers = new Map<string, Handler>();
  const receiver = new (nativeAddon().UdpSocket)(
    { family, localAddress: local, port, reuseAddress: true, ...(device ? { device } : {}) },
    (data, address, port, ttl) => {
      const handler = peers.get(canonicalIp(address) ?? address);
      handler?.(data, { address, port, ttl });
    },
  );
  shared = { receiver, peers };
  receivers.set(key, shared);
  return shared;
}

function release(local: string, port: number, device: string | undefined, peer: string): void {
  const key = receiverKey(local, port, device);
  const shared = receivers.get(key);
  if (!shared) return;
  shared.peers.delete(peer);
  if (shared.peers.size === 0) {
    shared.receiver.close();
    receivers.delete(key);
  }
}

function bindSender(family: 4 | 6, local: string, device: string | undefined): NativeUdpSocket {
  const { UdpSocket } = nativeAddon();
  let lastError: unknown;
  for (let attempt = 0; attempt < 32; attempt++) {
    const port = BFD_SOURCE_PORT_MIN + Math.floor(Math.random() * (BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1));
    try {
      return new UdpSocket({ family, localAddress: local, port, ttl: BFD_TTL, ...(device ? { device } : {}) });
    } catch (err) {
      lastError = err;
      if ((err as { code?: string }).code !== 'EADDRINUSE') break;
    }
  }
  throw new Error(`BFD: cannot bind a source port in ${BFD_SOURCE_PORT_MIN}-${BFD_SOURCE_PORT_MAX} on ${local}`, {
    cause: lastError,
  });
}

/**
 * Canonical text of an address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack TCP
 * socket reports an IPv4 peer) becomes plain IPv4, since BFD runs over the address family of the path.
 */
export function bfdAddress(text: string): string | undefined {
  const ip = parseIp(text);
  if (!ip) return undefined;
  if (ip.family === 'ipv6' && ip.value >> 32n === 0xffffn) return formatIp('ipv4', ip.value & 0xffffffffn);
  return canonicalIp(text);
}

export const udpTransport: BfdTransportFactory = async (opts) => {
  const local = bfdAddress(opts.local);
  const peer = bfdAddress(opts.peer);
  if (!local) throw new TypeError(`BFD: local address "${opts.local}" is not an IP address`);
  if (!peer) throw new TypeError(`BFD: peer address "${opts.peer}" is not an IP address`);
  const family = net.isIP(local) as 4 | 6;
  if (net.isIP(peer) !== family) throw new TypeError(`BFD: local ${local} and peer ${peer} are of different families`);
  const port = opts.multihop ? transportPorts.multihop : transportPorts.control;
  const shared = receiverFor(local, port, family, opts.device);
  if (shared.peers.has(peer)) throw new Error(`BFD: a session from ${local} to ${peer} (port ${port}) already exists`);
  shared.peers.set(peer, opts.onPacket);
  let sender: NativeUdpSocket;
  try {
    sender = bindSender(family, local, opts.device);
  } catch (err) {
    release(local, port, opts.device, peer);
    throw err;
  }
  let closed = false;
  const transport: BfdTransport = {
    send(bytes) {
      if (closed) return;
      try {
        sender.send(bytes, peer, port);
      } catch (err) {
        opts.onError(err as Error); // e.g. ECONNREFUSED from an earlier ICMP port unreachable
      }
    },
    close() {
      if (closed) return;
      closed = true;
      sender.close(); // sendto is synchronous: the final AdminDown is already out
      release(local, port, opts.device, peer);
    },
  };
  return transport;
};
