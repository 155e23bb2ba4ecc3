// The small HTTP/1.1 server: answered by a real client (fetch, Node's undici) and by raw sockets for
// keep-alive, pipelining, HTTP/1.0 and what a client should not send (a bad head, a huge head or body, an
// unknown coding): a status that says why, and the connection closed.
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp, type HttpRequest, type HttpServer } from '../../../src/http/index.ts';

let server: HttpServer;
const seen: HttpRequest[] = [];

beforeAll(async () => {
  server = await serveHttp(
    async (req) => {
      seen.push(req);
      if (req.path === '/fail') throw new Error('handler broke');
      if (req.path === '/later') await new Promise((r) => setTimeout(r, 30));
      return {
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: `${req.method} ${req.path} ${req.query}\n`,
      };
    },
    0,
    '127.0.0.1',
  );
});
afterAll(() => server.close());

/** Writes `bytes` on a new connection and collects what comes back until the server closes or `ms` pass. */
function exchange(bytes: string | Buffer, ms = 2_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    let text = '';
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => done(false), ms);
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('close', () => done(true));
    s.on('error', () => {});
    s.write(bytes);
  });
}

describe('serveHttp', () => {
  it('answers a real client, with the path, the query and a length', async () => {
    const r = await fetch(`http://127.0.0.1:${server.port}/metrics?name=x`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(r.headers.get('date')).toMatch(/GMT$/);
    expect(await r.text()).toBe('GET /metrics name=x\n');
  });

  it('HEAD: the headers with the length, no body', async () => {
    const r = await exchange('HEAD /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.text).toMatch(/Content-Length: 9\r\n/);
    expect(r.text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('keeps a connection alive and answers pipelined requests in order', async () => {
    const r = await exchange('GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n', 500);
    expect(r.closed).toBe(false);
    const bodies = r.text
      .split('\r\n\r\n')
      .slice(1)
      .map((b) => b.split('HTTP/1.1')[0]);
    expect(bodies).toEqual(['GET /later \n', 'GET /b \n']);
  });

  it('closes after an HTTP/1.0 answer and after "Connection: close"', async () => {
    expect(await exchange('GET /a HTTP/1.0\r\n\r\n')).toMatchObject({ closed: true });
    const r = await exchange('GET /a HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/Connection: close\r\n/);
  });

  it('reads a request body (a length or chunks) before answering', async () => {
    const r = await exchange(
      'POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /q HTTP/1.1\r\nConnection: close\r\n\r\n',
    );
    expect(r.text.match(/HTTP\/1\.1 200/g)?.length).toBe(2);
    const c = await exchange(
      'POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(c.text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('a handler that throws is a 500 with its message, and the server goes on', async () => {
    const r = await fetch(`http://127.0.0.1:${server.port}/fail`);
    expect(r.status).toBe(500);
    expect(await r.text()).toBe('handler broke\n');
    expect((await fetch(`http://127.0.0.1:${server.port}/ok`)).status).toBe(200);
  });

  it.each([
    ['GET /a\r\n\r\n', 400, /request line/],
    ['GET /a HTTP/1.1\r\nA : b\r\n\r\n', 400, /line 2: not a field name/],
    ['GET /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 501, /only chunked is read/],
    ['GET /a HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400, /both Transfer-Encoding/],
    ['POST /a HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n', 413, /request body over/],
    [`GET /a HTTP/1.1\r\nX: ${'a'.repeat(70_000)}`, 431, /request head over/],
  ])('refuses %j with %i and closes', async (bytes, status, why) => {
    const r = await exchange(bytes);
    expect(r.text.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(r.text.split('\r\n\r\n')[1]).toMatch(why);
    expect(r.closed).toBe(true);
  });

  it('a port in use is an error naming host and port', async () => {
    await expect(serveHttp(() => ({ status: 200, body: '' }), server.port, '127.0.0.1')).rejects.toThrow(
      new RegExp(`HTTP server on 127.0.0.1:${server.port}: .*EADDRINUSE`),
    );
  });

  it('closes a connection whose head is not whole in time, or that stays idle', async () => {
    const s = await serveHttp(() => ({ status: 200, body: 'x' }), 0, '127.0.0.1', {
      headTimeoutMs: 100,
      idleTimeoutMs: 300,
    });
    const slow = connect(s.port, '127.0.0.1');
    slow.on('error', () => {});
    let bytes = 0;
    const drip = setInterval(() => {
      if (slow.destroyed) return;
      slow.write('G'); // one byte at a time, never a whole head
      bytes++;
    }, 20);
    await new Promise((r) => slow.once('close', r));
    clearInterval(drip);
    expect(bytes).toBeGreaterThan(2); // it was sending: the head deadline, not the idle one, closed it
    const idle = connect(s.port, '127.0.0.1');
    const t0 = Date.now();
    await new Promise((r) => idle.once('close', r));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await s.close();
  });

  it('close() ends the open connections', async () => {
    const s = await serveHttp(() => ({ status: 200, body: 'x' }), 0, '127.0.0.1');
    const sock = connect(s.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const closed = new Promise((r) => sock.once('close', r));
    await s.close();
    await closed;
    expect((sock.address() as AddressInfo | Record<string, never>).port).toBeUndefined();
  });
});
