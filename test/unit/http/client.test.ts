// The HTTP/1.1 client against real servers: Node's own node:http and node:https (the counterpart that
// frames answers as servers do), and raw TCP servers for what a well-behaved server never sends (a
// connection closed under a request, a body ended by close, a malformed head, silence).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpError, type HttpRequestSpec, type ResponseHead } from '../../../src/http/index.ts';
import { createPki, type Pki } from '../../../src/lab/pki.ts';

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** The body as the data callbacks delivered it, before the end. */
  pieces: string[];
}

function send(client: HttpClient, spec: Partial<HttpRequestSpec> & { path: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let head: ResponseHead | undefined;
    const pieces: string[] = [];
    client.request(
      { method: 'GET', headers: {}, timeoutMs: 10_000, ...spec },
      {
        head: (h) => (head = h),
        data: (c) => pieces.push(c.toString()),
        end: () => resolve({ status: head!.status, headers: head!.headers, body: pieces.join(''), pieces }),
        error: reject,
      },
    );
  });
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('HttpClient against node:http', () => {
  let server: ReturnType<typeof createHttpServer>;
  let port = 0;
  const connections = new Set<Socket>();
  const all: Socket[] = [];
  let opened = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const clients: HttpClient[] = [];
  const client = (o: { maxSockets?: number; maxIdle?: number } = {}): HttpClient => {
    const c = new HttpClient({
      host: '127.0.0.1',
      port,
      maxSockets: o.maxSockets ?? 4,
      ...(o.maxIdle ? { maxIdle: o.maxIdle } : {}),
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        if (url.pathname === '/echo') {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              method: req.method,
              url: req.url,
              host: req.headers.host,
              auth: req.headers.authorization,
              body,
            }),
          );
        } else if (url.pathname === '/slow') {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          setTimeout(() => {
            concurrent--;
            res.end('slow');
          }, 50);
        } else if (url.pathname === '/stream') {
          res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length
          res.write('{"a":1}\n');
          setTimeout(() => res.write('{"b":2}\n'), 20);
          setTimeout(() => res.end('{"c":3}\n'), 40);
        } else if (url.pathname === '/forever') {
          res.writeHead(200);
          res.write('x');
          req.socket.on('close', () => res.destroy());
        } else if (url.pathname === '/nocontent') {
          res.writeHead(204).end();
        } else if (url.pathname === '/silent') {
          // never answers
        } else res.writeHead(404).end('not here');
      });
    });
    server.on('connection', (s: Socket) => {
      opened++;
      all.push(s);
      connections.add(s);
      s.on('close', () => connections.delete(s));
    });
    port = await listen(server);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  it('sends method, target, Host, headers and body, and reads the answer', async () => {
    const c = client();
    const a = await send(c, {
      method: 'POST',
      path: '/echo?x=1',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: Buffer.from('{"k":"v"}'),
    });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toEqual({
      method: 'POST',
      url: '/echo?x=1',
      host: `127.0.0.1:${port}`,
      auth: 'Bearer t',
      body: '{"k":"v"}',
    });
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(await send(c, { path: '/missing' })).toMatchObject({ status: 404, body: 'not here' });
    expect(await send(c, { path: '/nocontent' })).toMatchObject({ status: 204, body: '' });
    expect(await send(c, { method: 'HEAD', path: '/echo' })).toMatchObject({ status: 200, body: '' });
  });

  it('keeps one connection alive for requests one after another', async () => {
    const c = client();
    const before = opened;
    for (let i = 0; i < 5; i++) expect((await send(c, { path: '/echo' })).status).toBe(200);
    expect(opened - before).toBe(1);
  });

  it('opens at most maxSockets connections; the others wait their turn', async () => {
    const c = client({ maxSockets: 2 });
    maxConcurrent = 0;
    const before = opened;
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(c, { path: '/slow' })));
    expect(answers.map((a) => a.body)).toEqual(Array(6).fill('slow'));
    expect(maxConcurrent).toBe(2);
    expect(opened - before).toBe(2);
  });

  it('keeps at most maxIdle connections after a burst', async () => {
    const c = client({ maxSockets: 4, maxIdle: 1 });
    const from = all.length;
    await Promise.all(Array.from({ length: 4 }, () => send(c, { path: '/slow' })));
    const mine = all.slice(from);
    expect(mine.length).toBe(4);
    // the server sees the extra ones close
    const open = (): number => mine.filter((s) => connections.has(s)).length;
    for (let i = 0; i < 500 && open() > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(open()).toBe(1);
  });

  it('delivers a chunked body as it comes, on a connection of its own when dedicated', async () => {
    const c = client();
    const before = opened;
    const a = await send(c, { path: '/stream', dedicated: true });
    expect(a.body).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(a.pieces.length).toBeGreaterThanOrEqual(3);
    expect(opened - before).toBe(1);
  });

  it('an aborted request hears nothing more and its connection closes', async () => {
    const c = client();
    let heard = '';
    const from = all.length;
    await new Promise<void>((resolve) => {
      const flight = c.request(
        { method: 'GET', path: '/forever', headers: {}, timeoutMs: 10_000, dedicated: true },
        {
          head: () => {},
          data: (d) => {
            heard += d.toString();
            flight.abort();
            resolve();
          },
          end: () => (heard += '<end>'),
          error: (e) => (heard += `<error ${e.message}>`),
        },
      );
    });
    const mine = all.slice(from);
    expect(mine.length).toBe(1);
    for (let i = 0; i < 500 && connections.has(mine[0]!); i++) await new Promise((r) => setTimeout(r, 10));
    expect(connections.has(mine[0]!)).toBe(false);
    expect(heard).toBe('x');
  });

  it('no answer within timeoutMs fails with a timeout naming the request', async () => {
    const c = client();
    const err = await send(c, { path: '/silent', timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('timeout');
    expect((err as HttpError).name).toBe('TimeoutError');
    expect((err as HttpError).message).toBe('GET /silent: no answer in 100 ms');
  });

  it('close() fails what is in flight and refuses what comes after', async () => {
    const c = client();
    const pending = send(c, { path: '/silent' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    c.close();
    expect(String(await pending)).toMatch(/closed/);
    expect(String(await send(c, { path: '/echo' }).catch((e: unknown) => e))).toMatch(/the client is closed/);
  });

  it('refuses a request it could not frame: a bad method, target or header', () => {
    const c = client();
    const h = { head: () => {}, data: () => {}, end: () => {}, error: () => {} };
    expect(() => c.request({ method: 'get', path: '/', headers: {}, timeoutMs: 1 }, h)).toThrow(/HTTP method/);
    expect(() => c.request({ method: 'GET', path: '/a b', headers: {}, timeoutMs: 1 }, h)).toThrow(
      /not an encoded path/,
    );
    expect(() => c.request({ method: 'GET', path: '/', headers: { A: 'b\r\nX: y' }, timeoutMs: 1 }, h)).toThrow(
      /CR, LF or NUL/,
    );
  });
});

describe('HttpClient against raw servers', () => {
  const servers: Server[] = [];
  const raw = async (onData: (s: Socket, text: string, n: number) => void): Promise<number> => {
    let n = 0;
    const server = createTcpServer((s) => {
      s.on('data', (d) => onData(s, d.toString('latin1'), ++n));
      s.on('error', () => {});
    });
    servers.push(server);
    return listen(server);
  };
  afterAll(async () => {
    for (const s of servers) await closeServer(s);
  });
  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

  it('a kept-alive connection the server closed as a GET went out: sent again on a new one', async () => {
    const sockets = new Set<Socket>();
    const port = await raw((s, _text) => {
      if (!sockets.has(s)) {
        sockets.add(s);
        s.write(OK); // the first request on a connection is answered...
        (s as Socket & { answered?: boolean }).answered = true;
      } else s.destroy(); // ...the second finds it closed
    });
    const c = new HttpClient({ host: '127.0.0.1', port, maxSockets: 1 });
    expect((await send(c, { path: '/a' })).body).toBe('ok');
    expect((await send(c, { path: '/b' })).body).toBe('ok');
    expect(sockets.size).toBe(2);
    // a POST is not sent twice: the error is the caller's
    const err = await send(c, { method: 'POST', path: '/c', body: Buffer.from('x') }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/POST \/c: connection closed before/);
    c.close();
  });

  it('reads a body that ends when the connection closes, and does not reuse that connection', async () => {
    let connections = 0;
    const port = await raw((s) => {
      connections++;
      s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close');
    });
    const c = new HttpClient({ host: '127.0.0.1', port, maxSockets: 1 });
    expect((await send(c, { path: '/' })).body).toBe('until close');
    expect((await send(c, { path: '/' })).body).toBe('until close');
    expect(connections).toBe(2);
    c.close();
  });

  it('skips an interim 100 Continue, and reads an answer split into single bytes', async () => {
    const answer = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`;
    const port = await raw((s) => {
      let i = 0;
      const next = (): void => {
        if (i < answer.length) s.write(answer[i++]!, next);
      };
      next();
    });
    const c = new HttpClient({ host: '127.0.0.1', port, maxSockets: 1 });
    expect(await send(c, { path: '/' })).toMatchObject({ status: 200, body: 'abc' });
    c.close();
  });

  it.each([
    ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', 'bad-head', /GET \/: Content-Length/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', 'unsupported', /GET \/: Transfer-Encoding "gzip"/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad-body', /GET \/: chunk size line/],
    ['SSH-2.0-OpenSSH\r\n\r\n', 'bad-head', /GET \/: status line/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', 'closed', /GET \/: connection closed 5 bytes before/],
  ])('a malformed answer fails the request with its reason: %j', async (answer, code, why) => {
    const port = await raw((s) => s.end(answer));
    const c = new HttpClient({ host: '127.0.0.1', port, maxSockets: 1 });
    const err = await send(c, { path: '/' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe(code);
    expect((err as HttpError).message).toMatch(why);
    c.close();
  });

  it('a head over 64 KiB is refused', async () => {
    const port = await raw((s) => s.write(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`));
    const c = new HttpClient({ host: '127.0.0.1', port, maxSockets: 1 });
    const err = await send(c, { path: '/' }).catch((e: unknown) => e);
    expect((err as HttpError).code).toBe('head-too-large');
    c.close();
  });
});

describe('HttpClient over TLS (node:https with the lab PKI)', () => {
  let dir = '';
  let pki: Pki;
  let server: ReturnType<typeof createHttpsServer>;
  let port = 0;
  let handshakes = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fct-http-tls-'));
    pki = await createPki(dir);
    server = createHttpsServer(
      {
        cert: readFileSync(pki.servingCertPath),
        key: readFileSync(pki.servingKeyPath),
        ca: pki.caPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const tls = req.socket as import('node:tls').TLSSocket;
        res.end(tls.getPeerCertificate().subject?.CN ?? 'no client certificate');
      },
    );
    server.on('secureConnection', () => handshakes++);
    port = await listen(server);
  }, 60_000);
  afterAll(async () => {
    server.closeAllConnections();
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsClient = (tls: ConstructorParameters<typeof HttpClient>[0]['tls'], host = '127.0.0.1') =>
    new HttpClient({ host, port, maxSockets: 4, tls });

  it('verifies the server against the CA, presents the client certificate, and reuses the connection', async () => {
    const c = tlsClient({
      ca: Buffer.from(pki.caPem),
      cert: Buffer.from(pki.adminCertPem),
      key: Buffer.from(pki.adminKeyPem),
      rejectUnauthorized: true,
    });
    const before = handshakes;
    expect((await send(c, { path: '/' })).body).toBe('ferrolb-admin');
    expect((await send(c, { path: '/' })).body).toBe('ferrolb-admin');
    expect(handshakes - before).toBe(1);
    // a dedicated connection shares the parsed credentials: it is another handshake, with the same certificate
    expect((await send(c, { path: '/', dedicated: true })).body).toBe('ferrolb-admin');
    c.close();
  });

  it('checks the certificate against servername when it is given (SNI and identity)', async () => {
    const ok = tlsClient({ ca: Buffer.from(pki.caPem), rejectUnauthorized: true, servername: 'localhost' });
    expect((await send(ok, { path: '/' })).body).toBe('no client certificate');
    ok.close();
    const wrong = tlsClient({ ca: Buffer.from(pki.caPem), rejectUnauthorized: true, servername: 'elsewhere.example' });
    expect(String(await send(wrong, { path: '/' }).catch((e: unknown) => e))).toMatch(/elsewhere\.example/);
    wrong.close();
  });

  it('refuses a server its CA did not sign, unless told to skip verification', async () => {
    const strict = tlsClient({ rejectUnauthorized: true });
    expect(String(await send(strict, { path: '/' }).catch((e: unknown) => e))).toMatch(/certificate/i);
    strict.close();
    const insecure = tlsClient({ rejectUnauthorized: false });
    expect((await send(insecure, { path: '/' })).status).toBe(200);
    insecure.close();
  });
});
