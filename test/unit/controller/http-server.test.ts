import { Registry, Gauge } from '../../../src/metrics/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '../../../src/lab/index.ts';
import { startHttpServer } from '../../../src/controller/http-server.ts';
import type { HttpServer } from '../../../src/http/index.ts';

let server: HttpServer;
let port: number;
let ready = { ready: false, why: 'initial list not done yet' };

beforeAll(async () => {
  const registry = new Registry();
  new Gauge({ name: 'ferrolb_test_gauge', help: 'x', registers: [registry] }).set(7);
  server = await startHttpServer({ registry, ready: () => ready }, 0, '127.0.0.1');
  port = server.port;
});

afterAll(async () => {
  await server.close();
});

describe('controller HTTP endpoints', () => {
  it('/metrics serves the registry in Prometheus text', async () => {
    const r = await httpGet(port, '/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^ferrolb_test_gauge 7$/m);
  });
  it('/healthz is 200 while /readyz follows readiness with its reason', async () => {
    expect((await httpGet(port, '/healthz')).status).toBe(200);
    expect(await httpGet(port, '/readyz')).toEqual({ status: 503, body: 'initial list not done yet\n' });
    ready = { ready: true, why: 'ok' };
    expect(await httpGet(port, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
  });
  it('unknown paths are 404 with a hint', async () => {
    const r = await httpGet(port, '/nope');
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/\/metrics/);
  });
  it('a port in use is a clear error', async () => {
    await expect(startHttpServer({ registry: new Registry(), ready: () => ready }, port, '127.0.0.1')).rejects.toThrow(
      new RegExp(`metrics server on 127.0.0.1:${port}: .*EADDRINUSE`),
    );
  });
});
