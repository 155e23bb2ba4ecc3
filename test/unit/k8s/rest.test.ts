// The small REST client against a local plain-HTTP server (TLS is exercised by the integration tests
// against the real API server): JSON in and out, ApiError with the API's Status, bearer tokens from a
// file, and watches split into events across chunk boundaries.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorText, httpStatus } from '../../../src/k8s/informer.ts';
import { parseKubeconfig } from '../../../src/k8s/kubeconfig.ts';
import { KubeRest } from '../../../src/k8s/rest.ts';

let server: ReturnType<typeof createServer>;
let base = '';
const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      if (req.url?.startsWith('/api/v1/services?') && req.url.includes('watch=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } });
        const b = JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'b' } } });
        res.write(`${a}\n${b.slice(0, 10)}`);
        setTimeout(() => res.end(`${b.slice(10)}\n`), 20);
      } else if (req.url === '/api/v1/namespaces/x/services/s/status') {
        res
          .writeHead(422, { 'content-type': 'application/json' })
          .end(JSON.stringify({ kind: 'Status', code: 422, message: 'metadata.annotations: Too long' }));
      } else {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ echo: JSON.parse(body || 'null') }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('KubeRest', () => {
  it('sends JSON with the token from its file (re-read after a minute) and parses the answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fct-rest-'));
    writeFileSync(join(dir, 'token'), 'first\n');
    let now = 0;
    const rest = new KubeRest({ server: base, tokenFile: join(dir, 'token'), source: 'test' }, { now: () => now });
    expect(await rest.request('POST', '/p', { body: { a: 1 }, query: { dryRun: 'All' } })).toEqual({ echo: { a: 1 } });
    writeFileSync(join(dir, 'token'), 'second\n');
    now = 30_000;
    await rest.request('GET', '/p');
    now = 61_000;
    await rest.request('GET', '/p');
    expect(seen.slice(-3).map((s) => s.auth)).toEqual(['Bearer first', 'Bearer first', 'Bearer second']);
    expect(seen.at(-3)!.url).toBe('/p?dryRun=All');
    rest.close();
  });

  it('a non-2xx answer rejects with the HTTP status and the API message', async () => {
    const rest = new KubeRest({ server: base, source: 'test' }, { now: () => 0 });
    const err = await rest
      .request('PUT', '/api/v1/namespaces/x/services/s/status', { body: {} })
      .catch((e: unknown) => e);
    expect(httpStatus(err)).toBe(422);
    expect(errorText(err)).toBe('HTTP 422: metadata.annotations: Too long');
    rest.close();
  });

  it('a watch delivers each event once, even split across chunks, then ends cleanly', async () => {
    const rest = new KubeRest({ server: base, source: 'test' }, { now: () => 0 });
    const events: string[] = [];
    const done = await new Promise<unknown>((resolve) => {
      void rest.watch(
        '/api/v1/services',
        { resourceVersion: '5' },
        (type, obj) => events.push(`${type} ${(obj as { metadata: { name: string } }).metadata.name}`),
        resolve,
      );
    });
    expect(done).toBeNull();
    expect(events).toEqual(['ADDED a', 'MODIFIED b']);
    expect(seen.at(-1)!.url).toBe('/api/v1/services?resourceVersion=5&watch=true');
    rest.close();
  });
});

describe('parseKubeconfig', () => {
  it('reads the current context: server, CA and client certificate data, token', () => {
    const text = `apiVersion: v1
kind: Config
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://127.0.0.1:6443/", certificate-authority-data: ${Buffer.from('CA').toString('base64')} } }]
users: [{ name: u, user: { token: abc, client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')} } }]
`;
    const t = parseKubeconfig(text, '/x/config');
    expect(t.server).toBe('https://127.0.0.1:6443');
    expect(t.ca?.toString()).toBe('CA');
    expect(t.cert?.toString()).toBe('CERT');
    expect(t.key?.toString()).toBe('KEY');
    expect(t.token).toBe('abc');
  });

  it('reads a JSON kubeconfig (without the YAML parser) and a YAML flow mapping that is not JSON', () => {
    const doc = {
      'current-context': 'c',
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      clusters: [{ name: 'k', cluster: { server: 'https://[2001:db8::1]:6443' } }],
      users: [{ name: 'u', user: { token: 'abc' } }],
    };
    expect(parseKubeconfig(JSON.stringify(doc, null, 2), 'f')).toMatchObject({
      server: 'https://[2001:db8::1]:6443',
      token: 'abc',
    });
    const flow = `{current-context: c, contexts: [{name: c, context: {cluster: k, user: u}}], clusters: [{name: k, cluster: {server: "https://h"}}], users: [{name: u, user: {token: t}}]}`;
    expect(parseKubeconfig(flow, 'f')).toMatchObject({ server: 'https://h', token: 't' });
  });

  it('refuses exec plugins and a missing context with a message saying so', () => {
    const exec = `current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://h" } }]
users: [{ name: u, user: { exec: { command: aws } } }]
`;
    expect(() => parseKubeconfig(exec, 'f')).toThrow(/"exec" credentials are not supported/);
    expect(() => parseKubeconfig('current-context: nope\ncontexts: []\n', 'f')).toThrow(/context "nope" not found/);
  });
});
