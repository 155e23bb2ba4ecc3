// The shared BGP listener (port 179 or a configured port): accepts connections and hands each to the
// session registered for the remote address; connections from unknown addresses are closed. With TCP MD5
// passwords the native listenTcp sets one key per peer on the listening socket (keys follow add/remove).
import net from 'node:net';
import { createLogger, type Logger } from '../../log/index.ts';
import { canonicalIp } from '../../net/ip.ts';
import { systemClock, type Clock } from '../../time/index.ts';
import { remoteAddressOf } from './transport.ts';

/** One log line per remote address per minute: a scanner or a misconfigured router cannot flood the log. */
const REFUSED_LOG_INTERVAL_MS = 60_000;
/** Remote addresses remembered for that limit (the oldest is forgotten first). */
const REFUSED_LOG_ADDRESSES = 1024;

export interface IncomingHandler {
  readonly peerAddress: string;
  acceptIncoming(socket: net.Socket): string | undefined;
}

export interface ListenerOptions {
  port: number;
  /** Address to listen on; default '::' (dual stack). */
  host?: string;
  /** Use the native listener (needed for TCP MD5 on incoming connections, TTL/GTSM). */
  native?: boolean;
  ttl?: number;
  minTtl?: number;
  logger?: Logger;
  /** For the refused-connection log limit; default the system clock. */
  clock?: Clock;
}

export class BgpListener {
  private server: net.Server | undefined;
  private readonly sessions = new Map<string, { handler: IncomingHandler; password?: string }>();
  private readonly opts: ListenerOptions;
  private readonly log: Logger;
  private setKey: ((server: net.Server, peer: string, key: string | null) => void) | undefined;
  /** Why recent connections were refused (bounded; for tests and logs). */
  readonly refused: string[] = [];
  /** Per remote address: when a refusal was last logged, and how many were not logged since. */
  private readonly refusedLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(opts: ListenerOptions) {
    this.opts = opts;
    this.log = (opts.logger ?? createLogger({ level: 'silent' })).child({ component: 'bgp-listener' });
  }

  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  add(handler: IncomingHandler, password?: string): void {
    this.sessions.set(handler.peerAddress, { handler, ...(password !== undefined ? { password } : {}) });
    if (this.server && !this.setKey && password !== undefined) {
      this.log.warn(
        { event: 'md5-unavailable', peer: handler.peerAddress },
        'listener was started without TCP MD5 support: incoming connections from this peer will fail until restart',
      );
    }
    if (this.server && this.setKey && password !== undefined)
      this.setKey(this.server, this.keyAddress(handler.peerAddress), password);
  }

  /** On a dual-stack (IPv6) listener an IPv4 peer's key is set on its IPv4-mapped address. */
  private keyAddress(peer: string): string {
    const host = this.opts.host ?? '::';
    return host.includes(':') && !peer.includes(':') ? `::ffff:${peer}` : peer;
  }

  remove(handler: IncomingHandler): void {
    const entry = this.sessions.get(handler.peerAddress);
    if (entry?.handler !== handler) return;
    this.sessions.delete(handler.peerAddress);
    if (this.server && this.setKey && entry.password !== undefined)
      this.setKey(this.server, this.keyAddress(handler.peerAddress), null);
  }

  async start(): Promise<number> {
    const host = this.opts.host ?? '::';
    const onConnection = (socket: net.Socket): void => this.onConnection(socket);
    if (this.opts.native) {
      const native = await import('../../native/index.ts');
      this.setKey = native.setMd5Key;
      const md5Keys = [...this.sessions.entries()]
        .filter(([, e]) => e.password !== undefined)
        .map(([peer, e]) => ({ peer: this.keyAddress(peer), key: e.password as string }));
      this.server = await native.listenTcp(
        {
          host,
          port: this.opts.port,
          md5Keys,
          ...(this.opts.ttl !== undefined ? { ttl: this.opts.ttl } : {}),
          ...(this.opts.minTtl !== undefined ? { minTtl: this.opts.minTtl } : {}),
        },
        onConnection,
      );
    } else {
      const server = net.createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: this.opts.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.server = server;
    }
    this.server.on('error', (err) => this.log.error({ event: 'listener-error', err: err.message }, 'listener error'));
    return this.port as number;
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    socket.on('error', () => {});
    const remote = remoteAddressOf(socket);
    const key = remote === undefined ? undefined : canonicalIp(remote);
    const entry = key === undefined ? undefined : this.sessions.get(key);
    if (!entry) {
      this.note(remote ?? '?', 'no peer configured for this address');
      socket.destroy();
      return;
    }
    const why = entry.handler.acceptIncoming(socket);
    if (why !== undefined) this.note(remote ?? '?', why);
  }

  private note(remote: string, reason: string): void {
    this.refused.push(`${remote}: ${reason}`);
    if (this.refused.length > 100) this.refused.shift();
    const now = (this.opts.clock ?? systemClock).now();
    const last = this.refusedLogged.get(remote);
    if (last && now - last.at < REFUSED_LOG_INTERVAL_MS) {
      last.suppressed += 1;
      return;
    }
    this.log.info(
      { event: 'incoming-refused', remote, reason, ...(last?.suppressed ? { notLoggedSince: last.suppressed } : {}) },
      'incoming connection refused',
    );
    this.refusedLogged.delete(remote); // re-inserted last: the Map's order is oldest first
    this.refusedLogged.set(remote, { at: now, suppressed: 0 });
    if (this.refusedLogged.size > REFUSED_LOG_ADDRESSES)
      this.refusedLogged.delete(this.refusedLogged.keys().next().value as string);
  }
}
