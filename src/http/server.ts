// A small HTTP/1.1 server for the programs' own endpoints (/metrics, /healthz, /readyz): one request at a
// time per connection, kept alive as Prometheus and the kubelet expect, answered whole (Content-Length).
// What cannot be read gets its status (400, 413, 431, 501) and the connection is closed; a connection
// idle for IDLE_MS is closed, and one whose request head is not whole HEAD_MS after its first byte (a
// client sending a byte a minute holds nothing for long).
import type { Server, Socket } from 'node:net';
import { BodyReader, requestFraming } from './body.ts';
import { HttpError } from './errors.ts';
import { MAX_HEAD_BYTES, headEnd, keepsAlive, parseRequestHead, type RequestHead } from './head.ts';

const net = process.getBuiltinModule('node:net');

export interface HttpRequest {
  method: string;
  /** The target's path, without the query. */
  path: string;
  /** The query without "?", or "". */
  query: string;
  headers: Map<string, string>;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type HttpHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export interface HttpServer {
  /** The port listened on (the one asked for, or the one the kernel chose for 0). */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const IDLE_MS = 60_000;
/** A request head must be whole this long after its first byte (Node's headersTimeout: 60 s). */
const HEAD_MS = 30_000;
const MAX_BODY = 1 << 20;
const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export interface ServeOptions {
  /** Default IDLE_MS. */
  idleTimeoutMs?: number;
  /** Default HEAD_MS. */
  headTimeoutMs?: number;
}

export function serveHttp(
  handler: HttpHandler,
  port: number,
  host: string,
  opts: ServeOptions = {},
): Promise<HttpServer> {
  const timeouts = { idle: opts.idleTimeoutMs ?? IDLE_MS, head: opts.headTimeoutMs ?? HEAD_MS };
  const sockets = new Set<Socket>();
  const server: Server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, handler, timeouts);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`HTTP server on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

function respond(socket: Socket, head: RequestHead | undefined, res: HttpResponse, keepAlive: boolean): void {
  const body = typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
  let text = `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? 'Status'}\r\nDate: ${new Date().toUTCString()}\r\n`;
  for (const [name, value] of Object.entries(res.headers ?? {})) text += `${name}: ${value}\r\n`;
  text += `Content-Length: ${body.length}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`;
  const bytes = Buffer.from(text, 'latin1');
  socket.write(head?.method === 'HEAD' || body.length === 0 ? bytes : Buffer.concat([bytes, body]));
  if (!keepAlive) socket.end();
}

const tooLarge = (): HttpError => new HttpError('body-too-large', `request body over ${MAX_BODY} bytes`);

function refuse(socket: Socket, err: unknown): void {
  const code = err instanceof HttpError ? err.code : undefined;
  const status = code === 'head-too-large' ? 431 : code === 'body-too-large' ? 413 : code === 'unsupported' ? 501 : 400;
  respond(
    socket,
    undefined,
    { status, headers: { 'content-type': 'text/plain' }, body: `${(err as Error).message}\n` },
    false,
  );
  socket.on('data', () => {}); // drain what the client still sends until it closes
}

function serveConnection(socket: Socket, handler: HttpHandler, timeouts: { idle: number; head: number }): void {
  let buf: Buffer = Buffer.alloc(0);
  let scanned = 0;
  let busy = false; // a request is being answered: what arrives meanwhile waits in buf
  let closing = false;
  let headTimer: ReturnType<typeof setTimeout> | undefined;
  const headDone = (): void => {
    clearTimeout(headTimer);
    headTimer = undefined;
  };
  socket.on('close', headDone);
  socket.setNoDelay(true);
  socket.setTimeout(timeouts.idle, () => socket.destroy());
  socket.on('error', () => socket.destroy());

  const next = (): void => {
    while (!busy && !closing) {
      let start = 0;
      while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++; // RFC 9112 §2.2
      if (start > 0) {
        buf = buf.subarray(start);
        scanned = 0;
      }
      const end = headEnd(buf, scanned);
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES)
          throw new HttpError('head-too-large', `request head over ${MAX_HEAD_BYTES} bytes`);
        scanned = Math.max(0, buf.length - 3);
        if (buf.length > 0) headTimer ??= setTimeout(() => socket.destroy(), timeouts.head);
        return;
      }
      headDone();
      const head = parseRequestHead(buf, end);
      const framing = requestFraming(head);
      if (framing.kind === 'length' && framing.length > MAX_BODY) throw tooLarge();
      const body = new BodyReader(framing);
      const pushed = body.push(buf.subarray(end));
      const size = pushed.data.reduce((n, d) => n + d.length, 0);
      if (size > MAX_BODY) throw tooLarge();
      if (!pushed.done) {
        if (buf.length > MAX_BODY + MAX_HEAD_BYTES) throw tooLarge(); // chunked, with much framing
        return; // the body is still coming: read it whole, then answer (this head is parsed again then)
      }
      buf = pushed.rest;
      scanned = 0;
      busy = true;
      const keepAlive = keepsAlive(head);
      const q = head.target.indexOf('?');
      const req: HttpRequest = {
        method: head.method,
        path: q < 0 ? head.target : head.target.slice(0, q),
        query: q < 0 ? '' : head.target.slice(q + 1),
        headers: head.headers,
      };
      void Promise.resolve()
        .then(() => handler(req))
        .catch((err: unknown) => ({
          status: 500,
          headers: { 'content-type': 'text/plain' },
          body: `${err instanceof Error ? err.message : String(err)}\n`,
        }))
        .then((res) => {
          if (socket.destroyed) return;
          respond(socket, head, res, keepAlive);
          busy = false;
          if (!keepAlive) closing = true;
          else safely();
        });
    }
  };
  const safely = (): void => {
    try {
      next();
    } catch (err) {
      closing = true;
      refuse(socket, err);
    }
  };
  socket.on('data', (b: Buffer) => {
    if (closing) return;
    buf = buf.length === 0 ? b : Buffer.concat([buf, b]);
    safely();
  });
}
