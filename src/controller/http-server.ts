// /metrics (Prometheus text), /healthz (the process answers), /readyz (initial sync done and a
// configuration loaded).
import { serveHttp, type HttpResponse, type HttpServer } from '../http/index.ts';
import type { Registry } from '../metrics/index.ts';

export interface HttpEndpoints {
  registry: Registry;
  ready: () => { ready: boolean; why: string };
}

const text = (status: number, body: string): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/plain' },
  body,
});

export function startHttpServer(endpoints: HttpEndpoints, port: number, host: string): Promise<HttpServer> {
  return serveHttp(
    async (req) => {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return { status: 405, headers: { allow: 'GET, HEAD' }, body: '' };
      if (req.path === '/metrics') {
        try {
          const body = await endpoints.registry.metrics();
          return { status: 200, headers: { 'content-type': endpoints.registry.contentType }, body };
        } catch (err) {
          return text(500, `metrics failed: ${String(err)}\n`);
        }
      }
      if (req.path === '/healthz') return text(200, 'ok\n');
      if (req.path === '/readyz') {
        const r = endpoints.ready();
        return text(r.ready ? 200 : 503, `${r.why}\n`);
      }
      return text(404, 'not found: try /metrics, /healthz, /readyz\n');
    },
    port,
    host,
  ).catch((err: unknown) => {
    throw new Error(
      `metrics server on ${host}:${port}: ${(err as Error).message.replace(/^HTTP server on \S+: /, '')}`,
    );
  });
}
