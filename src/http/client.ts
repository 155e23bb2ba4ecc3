// An HTTP/1.1 client for one server: a pool of kept-alive connections (at most maxSockets, idle ones closed
// after idleTimeoutMs and never holding the process open), and dedicated connections for long responses
// such as watches. A request on a reused connection that the server had closed meanwhile is sent again on
// a new one when it is idempotent and no answer had started, as Go's and Node's clients do.
//
// Node's own node:http costs the speaker ~4 MiB of memory for what this needs (and the speaker must fit in
// 60 MiB); node:net and node:tls are loaded as CommonJS objects, so no lazy export (tls.rootCertificates)
// is touched just by importing.
import type { Socket } from 'node:net';
import type { ConnectionOptions, SecureContext } from 'node:tls';
import { ClientConnection, type Exchange, type ResponseHandler } from './connection.ts';
import { HttpError } from './errors.ts';

const net = process.getBuiltinModule('node:net');
const tls = process.getBuiltinModule('node:tls');

export type { ResponseHandler } from './connection.ts';

export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  /** The name the server's certificate must carry (and SNI), when not the host. */
  servername?: string;
}

export interface HttpClientOptions {
  host: string;
  port: number;
  tls?: ClientTls;
  maxSockets: number;
  /** A pooled connection idle this long is closed (Go's transport: 90 s). */
  idleTimeoutMs?: number;
  /** Idle connections kept for the next requests; more are closed (Go's transport: 2 per host). */
  maxIdle?: number;
}

export interface HttpRequestSpec {
  method: string;
  /** The request target: path and query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** No byte from the server for this long fails the request. */
  timeoutMs: number;
  /** Its own connection, closed after (a watch: it would hold a pooled one for minutes). */
  dedicated?: boolean;
  /** Names the request in error messages (default "METHOD path"). */
  what?: string;
}

export interface InFlight {
  /** Ends the request: its connection is closed and its handler hears nothing more. */
  abort(): void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const TCP_KEEPALIVE_MS = 30_000; // client-go's dialer

interface Pending {
  ex: Exchange;
  dedicated: boolean;
  retried: boolean;
  conn?: ClientConnection;
  aborted: boolean;
}

export class HttpClient {
  readonly #opts: Required<Omit<HttpClientOptions, 'tls'>> & { tls?: ClientTls };
  readonly #hostHeader: string;
  readonly #idle: ClientConnection[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<ClientConnection, Pending>();
  #pooled = 0; // pool connections open or opening
  #secureContext: SecureContext | undefined; // one for every connection: CA, certificate and key parsed once
  #closed = false;

  constructor(opts: HttpClientOptions) {
    this.#opts = { idleTimeoutMs: 90_000, maxIdle: 2, ...opts };
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const defaultPort = opts.tls ? 443 : 80;
    this.#hostHeader = opts.port === defaultPort ? host : `${host}:${opts.port}`;
  }

  request(spec: HttpRequestSpec, handler: ResponseHandler): InFlight {
    const what = spec.what ?? `${spec.method} ${spec.path}`;
    const p: Pending = {
      ex: { method: spec.method, bytes: this.#serialize(spec), timeoutMs: spec.timeoutMs, what, handler },
      dedicated: spec.dedicated === true,
      retried: false,
      aborted: false,
    };
    if (this.#closed) {
      queueMicrotask(() => handler.error(new HttpError('closed', `${what}: the client is closed`)));
      return { abort: () => {} };
    }
    this.#dispatch(p);
    return {
      abort: () => {
        if (p.aborted) return;
        p.aborted = true;
        const i = this.#queue.indexOf(p);
        if (i >= 0) this.#queue.splice(i, 1);
        p.conn?.destroy();
      },
    };
  }

  /** Closes every connection; requests in flight fail. */
  close(): void {
    this.#closed = true;
    for (const c of this.#idle.splice(0)) c.destroy();
    for (const p of this.#queue.splice(0))
      p.ex.handler.error(new HttpError('closed', `${p.ex.what}: the client is closed`));
    for (const c of [...this.#running.keys()]) c.destroy(new HttpError('closed', 'the client is closed'));
  }

  #serialize(spec: HttpRequestSpec): Buffer {
    if (!/^[A-Z]+$/.test(spec.method)) throw new Error(`HTTP method ${JSON.stringify(spec.method)}`);
    if (!/^\/[\x21-\x7e]*$/.test(spec.path))
      throw new Error(`request target ${JSON.stringify(spec.path)}: not an encoded path`);
    let head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: ${this.#hostHeader}\r\n`;
    for (const [name, value] of Object.entries(spec.headers)) {
      if (/[\r\n\0]/.test(name + value)) throw new Error(`header ${JSON.stringify(name)}: CR, LF or NUL in it`);
      head += `${name}: ${value}\r\n`;
    }
    if (spec.body !== undefined || spec.method === 'POST' || spec.method === 'PUT' || spec.method === 'PATCH')
      head += `Content-Length: ${spec.body?.length ?? 0}\r\n`;
    head += '\r\n';
    const h = Buffer.from(head, 'latin1');
    return spec.body && spec.body.length > 0 ? Buffer.concat([h, spec.body]) : h;
  }

  #dispatch(p: Pending): void {
    if (p.dedicated) {
      this.#run(p, this.#connect(false));
      return;
    }
    const idle = this.#idle.pop();
    if (idle) this.#run(p, idle);
    else if (this.#pooled < this.#opts.maxSockets) this.#run(p, this.#connect(true));
    else this.#queue.push(p);
  }

  #run(p: Pending, conn: ClientConnection): void {
    p.conn = conn;
    this.#running.set(conn, p);
    conn.send(p.ex);
  }

  #connect(pooled: boolean): ClientConnection {
    const { host, port } = this.#opts;
    let socket: Socket;
    const t = this.#opts.tls;
    if (t) {
      // One OpenSSL context for all: made per connection (as node:https does), each of a speaker's dozen
      // watches would hold its own parsed copy of the CA, certificate and key.
      this.#secureContext ??= tls.createSecureContext({
        ...(t.ca ? { ca: t.ca } : {}),
        ...(t.cert ? { cert: t.cert } : {}),
        ...(t.key ? { key: t.key } : {}),
      });
      const o: ConnectionOptions = {
        host,
        port,
        rejectUnauthorized: t.rejectUnauthorized,
        secureContext: this.#secureContext,
      };
      // SNI carries a name, never an address (RFC 6066 §3); the certificate is checked against servername or host
      const name = t.servername ?? host;
      if (net.isIP(name) === 0) o.servername = name;
      else if (t.servername) o.checkServerIdentity = (_h, cert) => tls.checkServerIdentity(t.servername!, cert);
      socket = tls.connect(o);
    } else socket = net.connect({ host, port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    if (pooled) this.#pooled++;
    return new ClientConnection(
      socket,
      (c) => this.#free(c, pooled),
      (c, err, ex, received) => this.#gone(c, pooled, err, ex, received),
    );
  }

  #free(c: ClientConnection, pooled: boolean): void {
    this.#running.delete(c);
    if (!pooled || this.#closed) {
      c.destroy();
      return;
    }
    const next = this.#queue.shift();
    if (next) {
      this.#run(next, c);
      return;
    }
    if (this.#idle.length >= this.#opts.maxIdle) {
      c.destroy(); // a burst is over (the start's lists): each idle TLS connection holds buffers
      return;
    }
    c.socket.setTimeout(this.#opts.idleTimeoutMs);
    this.#idle.push(c);
  }

  #gone(
    c: ClientConnection,
    pooled: boolean,
    err: Error | undefined,
    ex: Exchange | undefined,
    received: boolean,
  ): void {
    const p = this.#running.get(c);
    this.#running.delete(c);
    const i = this.#idle.indexOf(c);
    if (i >= 0) this.#idle.splice(i, 1);
    if (pooled) this.#pooled--;
    if (p && ex && err && !p.aborted) {
      if (c.served > 0 && !received && !p.retried && IDEMPOTENT.has(ex.method) && !this.#closed) {
        p.retried = true; // the server closed a kept-alive connection as the request went out
        this.#run(p, this.#connect(!p.dedicated)); // a new connection: the slot of the closed one
      } else ex.handler.error(err);
    }
    if (pooled && !this.#closed) {
      const next = this.#queue.shift();
      if (next) this.#dispatch(next);
    }
  }
}
