// The real transport: UDP for probes and gossip, TCP for push-pull and the fallback ping, on one port.
// A thin adapter with bounds: a stream carries one length-prefixed request and one reply, at most
// `maxStreamBytes` each, within `streamTimeoutMs`, and at most `maxConnections` incoming streams at once.
// Whatever breaks a bound is counted through onDrop and closed; nothing throws into the event loop.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, isIP } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Clock } from '../time/index.ts';
import { canonicalIp } from '../net/ip.ts';
import type { Address } from './codec/index.ts';
import type { Transport, TransportHandlers } from './core/index.ts';

/**
 * dgram's name lookup for the socket: every address here is an IP literal, so it is passed through as it
 * is. Node's default lookup loads node:dns (and c-ares, and perf_hooks' observer) at the first send and
 * goes through dns.lookup and a process.nextTick for every datagram.
 */
function literalOnly(
  address: string,
  family: unknown,
  done: (err: Error | null, address: string, family: number) => void,
): void {
  const f = isIP(address);
  if (f === 0) done(new Error(`memberlist: "${address}" is not an IP address`), address, 0);
  else done(null, address, f);
}

export type NetDropReason = 'stream-limit' | 'stream-too-large' | 'stream-timeout' | 'stream-error' | 'send-error';

export interface NetTransportOptions {
  bindAddr: string;
  /** 0: any free port (the same one for UDP and TCP). */
  port: number;
  clock: Clock;
  maxStreamBytes?: number;
  maxConnections?: number;
  streamTimeoutMs?: number;
  onDrop?: (reason: NetDropReason, from: Address | undefined) => void;
  onTraffic?: (direction: 'in' | 'out', kind: 'packet' | 'stream', bytes: number) => void;
}

/** Canonical text of a peer address; cached, since every datagram needs it and the peers are few. */
const normalised = new Map<string, string>();
function normalise(ip: string | undefined): string {
  const v = ip ?? '';
  let n = normalised.get(v);
  if (n === undefined) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
    n = canonicalIp(mapped ? (mapped[1] as string) : v) ?? v;
    if (normalised.size >= 4096) normalised.clear();
    normalised.set(v, n);
  }
  return n;
}

/** Reads one u32-length-prefixed frame from a socket, bounded in size. */
function frameReader(max: number, onFrame: (f: Uint8Array) => void, onTooLarge: () => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  let want = -1;
  let done = false;
  return (chunk) => {
    if (done) return;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (want < 0 && buf.length >= 4) {
      want = buf.readUInt32BE(0);
      if (want > max) {
        done = true;
        onTooLarge();
        return;
      }
    }
    if (want >= 0 && buf.length >= 4 + want) {
      done = true;
      onFrame(new Uint8Array(buf.subarray(4, 4 + want)));
    } else if (buf.length > max + 4) {
      done = true;
      onTooLarge();
    }
  };
}

function frame(data: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.set(data, 4);
  return out;
}

type ResolvedOptions = Required<Omit<NetTransportOptions, 'onDrop' | 'onTraffic'>> &
  Pick<NetTransportOptions, 'onDrop' | 'onTraffic'>;

export class NetTransport implements Transport {
  readonly #opts: ResolvedOptions;
  readonly #udp: UdpSocket;
  readonly #tcp: Server;
  readonly #conns = new Set<Socket>();
  #handlers: TransportHandlers | undefined;
  #closed = false;
  readonly port: number;

  private constructor(opts: ResolvedOptions, udp: UdpSocket, tcp: Server, port: number) {
    this.#opts = opts;
    this.#udp = udp;
    this.#tcp = tcp;
    this.port = port;
    udp.on('message', (msg, rinfo) => {
      this.#opts.onTraffic?.('in', 'packet', msg.length);
      this.#handlers?.onPacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        ip: normalise(rinfo.address),
        port: rinfo.port,
      });
    });
    udp.on('error', () => this.#opts.onDrop?.('send-error', undefined));
    tcp.on('connection', (s) => this.#accept(s));
    tcp.on('error', () => this.#opts.onDrop?.('stream-error', undefined));
  }

  /** Binds UDP and TCP on the same port. */
  static async listen(o: NetTransportOptions): Promise<NetTransport> {
    const opts = {
      maxStreamBytes: 1 << 20,
      maxConnections: 64,
      streamTimeoutMs: 2_000,
      ...o,
    };
    const family = o.bindAddr.includes(':') ? 'udp6' : 'udp4';
    for (let attempt = 0; ; attempt++) {
      const tcp = createServer({ pauseOnConnect: false });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: o.bindAddr, port: o.port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      const port = (tcp.address() as { port: number }).port;
      const udp = createSocket({ type: family, reuseAddr: false, lookup: literalOnly });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind({ address: o.bindAddr, port, exclusive: true }, () => {
            udp.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        tcp.close();
        udp.close();
        if (o.port === 0 && attempt < 10) continue;
        throw e;
      }
      return new NetTransport(opts, udp, tcp, port);
    }
  }

  setHandlers(h: TransportHandlers): void {
    this.#handlers = h;
  }

  sendPacket(to: Address, data: Uint8Array): void {
    if (this.#closed) return;
    this.#opts.onTraffic?.('out', 'packet', data.length);
    this.#udp.send(data, to.port, to.ip, (err) => {
      if (err) this.#opts.onDrop?.('send-error', to);
    });
  }

  exchange(
    to: Address,
    data: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply?: Uint8Array) => void,
  ): void {
    if (this.#closed) {
      done(new Error('transport closed'));
      return;
    }
    let finished = false;
    const s = createConnection({ host: to.ip, port: to.port });
    const finish = (err: Error | undefined, reply?: Uint8Array): void => {
      if (finished) return;
      finished = true;
      timer.cancel();
      this.#conns.delete(s);
      s.destroy();
      done(err, reply);
    };
    const timer = this.#opts.clock.setTimer(timeoutMs, () =>
      finish(new Error(`stream to ${to.ip}:${to.port} timed out after ${timeoutMs} ms`)),
    );
    this.#conns.add(s);
    s.setNoDelay(true);
    s.on('error', (e) => finish(e));
    s.on('close', () => finish(new Error('stream closed without a reply')));
    s.on(
      'data',
      frameReader(
        this.#opts.maxStreamBytes,
        (f) => {
          this.#opts.onTraffic?.('in', 'stream', f.length);
          finish(undefined, f);
        },
        () => {
          this.#opts.onDrop?.('stream-too-large', to);
          finish(new Error('reply too large'));
        },
      ),
    );
    this.#opts.onTraffic?.('out', 'stream', data.length);
    s.write(frame(data));
  }

  #accept(s: Socket): void {
    const from: Address = { ip: normalise(s.remoteAddress), port: s.remotePort ?? 0 };
    if (this.#closed || this.#conns.size >= this.#opts.maxConnections) {
      this.#opts.onDrop?.('stream-limit', from);
      s.destroy();
      return;
    }
    this.#conns.add(s);
    let finished = false;
    const close = (reason?: NetDropReason): void => {
      if (finished) return;
      finished = true;
      timer.cancel();
      this.#conns.delete(s);
      if (reason) this.#opts.onDrop?.(reason, from);
      s.destroy();
    };
    const timer = this.#opts.clock.setTimer(this.#opts.streamTimeoutMs, () => close('stream-timeout'), { unref: true });
    s.on('error', () => close('stream-error'));
    s.on('close', () => close());
    s.on(
      'data',
      frameReader(
        this.#opts.maxStreamBytes,
        (req) => {
          this.#opts.onTraffic?.('in', 'stream', req.length);
          let reply: Uint8Array | undefined;
          try {
            reply = this.#handlers?.onStream(req, from);
          } catch {
            reply = undefined;
          }
          if (!reply) {
            close();
            return;
          }
          this.#opts.onTraffic?.('out', 'stream', reply.length);
          finished = true;
          timer.cancel();
          s.end(frame(reply), () => {
            this.#conns.delete(s);
            s.destroy();
          });
        },
        () => close('stream-too-large'),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#conns) s.destroy();
    this.#conns.clear();
    await Promise.all([
      new Promise<void>((r) => this.#udp.close(() => r())),
      new Promise<void>((r) => this.#tcp.close(() => r())),
    ]);
  }
}
