// A hand-driven BGP peer over a real socket for session tests: sends raw bytes or encoded messages and
// queues every decoded message it receives. Waits are bounded (they fail the test instead of hanging).
import net from 'node:net';
import { decodeMessage, encodeMessage, frameLength } from '../../../../src/bgp/codec/index.ts';
import type { BgpMessage, BgpMessageType, Open } from '../../../../src/bgp/codec/index.ts';
import type { BgpSession } from '../../../../src/bgp/session/session.ts';

const CTX = { fourOctetAs: true };

export class RawPeer {
  readonly socket: net.Socket;
  readonly received: BgpMessage[] = [];
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const len = frameLength(this.buf, 0);
        if (len === undefined || this.buf.length < len) break;
        this.received.push(decodeMessage(this.buf.subarray(0, len), 0, CTX).value);
        this.buf = this.buf.subarray(len);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(msg: BgpMessage): void {
    this.socket.write(encodeMessage(msg, CTX));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Resolves with the first received message of the type not yet taken; rejects after `ms`. */
  async next<T extends BgpMessageType>(type: T, ms = 5000): Promise<Extract<BgpMessage, { type: T }>> {
    return this.until(
      () => {
        const i = this.received.findIndex((m) => m.type === type);
        if (i < 0) return undefined;
        const [m] = this.received.splice(i, 1);
        return m as Extract<BgpMessage, { type: T }>;
      },
      `${type}`,
      ms,
    );
  }

  async waitClosed(ms = 5000): Promise<void> {
    await this.until(() => (this.closed ? true : undefined), 'close', ms);
  }

  async until<R>(probe: () => R | undefined, what: string, ms = 5000): Promise<R> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = probe();
      if (r !== undefined) return r;
      if (this.closed && what !== 'close') throw new Error(`raw peer: connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`raw peer: no ${what} within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export function peerOpen(over: Partial<Open> & { asn?: number } = {}): Open {
  const asn = over.asn ?? 64513;
  return {
    type: 'OPEN',
    version: 4,
    myAsn: asn,
    holdTime: over.holdTime ?? 90,
    bgpId: over.bgpId ?? 0xc0000202,
    capabilities: over.capabilities ?? [
      { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
      { type: 'MULTIPROTOCOL', afi: 2, safi: 1 },
      { type: 'ROUTE_REFRESH' },
      { type: 'FOUR_OCTET_AS', asn },
    ],
    ...(over.version !== undefined ? { version: over.version } : {}),
  };
}

/** A TCP server on 127.0.0.1 (ephemeral port) handing out RawPeers for accepted connections. */
export async function rawServer(
  host = '127.0.0.1',
): Promise<{ port: number; accept(ms?: number): Promise<RawPeer>; close(): Promise<void> }> {
  const queue: RawPeer[] = [];
  const waiters: (() => void)[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    queue.push(new RawPeer(s));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async accept(ms = 5000) {
      const deadline = Date.now() + ms;
      while (queue.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`raw server: no connection within ${ms} ms`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return queue.shift() as RawPeer;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export async function rawConnect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawPeer> {
  const s = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return new RawPeer(s);
}

/** Waits (bounded) until `probe` is true, polling on events of `emitter` and a short tick. */
export async function eventually(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Takes the session's OPEN, answers with `peerOpen(over)` and KEEPALIVE, waits for Established. */
export async function establish(
  session: BgpSession,
  peer: RawPeer,
  over: Parameters<typeof peerOpen>[0] = {},
): Promise<void> {
  await peer.next('OPEN');
  peer.send(peerOpen(over));
  peer.send({ type: 'KEEPALIVE' });
  await peer.next('KEEPALIVE');
  await eventually(() => session.isEstablished, 'Established');
}
