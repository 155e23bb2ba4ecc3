// The narrow transport the protocol rules run over: datagrams (probes, gossip) and one request/response
// exchange over a stream (push-pull, the TCP fallback ping). The real one is UDP+TCP
// (src/memberlist/net-transport.ts), wrapped by the keyring layer; tests use an in-memory network.
// Callbacks, not promises, so everything stays synchronous on a fake clock.
import type { Address } from '../codec/index.ts';

export interface TransportHandlers {
  /** One datagram arrived from `from`. */
  onPacket(data: Uint8Array, from: Address): void;
  /** One stream request arrived; the return value (if any) is the reply. */
  onStream(data: Uint8Array, from: Address): Uint8Array | undefined;
}

export interface Transport {
  setHandlers(h: TransportHandlers): void;
  /** Best effort: may be lost, delayed or reordered. */
  sendPacket(to: Address, data: Uint8Array): void;
  /**
   * Sends `data` over a stream and calls `done` exactly once: with the reply, or with an error after at
   * most `timeoutMs` (refused, reset, timed out, no reply).
   */
  exchange(
    to: Address,
    data: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply?: Uint8Array) => void,
  ): void;
}

export function addressKey(a: Address): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}
