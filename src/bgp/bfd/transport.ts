import type { Clock } from '../../time/index.ts';

// The narrow transport a BfdSession needs: send bytes to its peer, get the peer's packets with their TTL.
export interface BfdPacketMeta {
  address: string;
  port: number;
  /** Received TTL / hop limit; -1 when the transport cannot tell. */
  ttl: number;
}

export interface BfdTransport {
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface BfdTransportOptions {
  local: string;
  peer: string;
  /** RFC 5883 multihop: UDP 4784 instead of 3784. */
  multihop?: boolean;
  device?: string;
  onPacket: (bytes: Uint8Array, meta: BfdPacketMeta) => void;
  /** Send failures (e.g. ICMP unreachable); never thrown. */
  onError: (err: Error) => void;
}

export type BfdTransportFactory = (opts: BfdTransportOptions) => Promise<BfdTransport>;

/**
 * In-memory network for tests: links sessions by address, delivers after `delayMs` on the given clock
 * (never re-entrantly), with a switch to drop traffic.
 */
export class MemoryBfdNetwork {
  private readonly clock: Clock;
  private readonly delayMs: number;

  constructor(clock: Clock, delayMs = 1) {
    this.clock = clock;
    this.delayMs = delayMs;
  }

  private endpoints = new Map<string, BfdTransportOptions>();
  /** Addresses whose packets are currently dropped (both directions). */
  readonly silenced = new Set<string>();
  /** TTL delivered to receivers (set < 255 to test GTSM). */
  ttl = 255;
  sent = 0;

  factory: BfdTransportFactory = async (opts) => {
    const key = `${opts.local}>${opts.peer}`;
    this.endpoints.set(key, opts);
    return {
      send: (bytes) => {
        this.sent++;
        if (this.silenced.has(opts.local) || this.silenced.has(opts.peer)) return;
        const copy = bytes.slice();
        const ttl = this.ttl;
        this.clock.setTimer(this.delayMs, () => {
          const target = this.endpoints.get(`${opts.peer}>${opts.local}`);
          target?.onPacket(copy, { address: opts.local, port: 49152, ttl });
        });
      },
      close: () => {
        this.endpoints.delete(key);
      },
    };
  };
}
