// /metrics (Prometheus text), /healthz (the process answers), /readyz (initial sync done and a
// configuration loaded).
import type { Server } from 'node:http';
import { nodeHttp } from '../k8s/node-http.ts';

const { createServer } = nodeHttp;
import type { Registry } from '../metrics/index.ts';

export interface HttpEndpoints {
  registry: Registry;
  ready: () => { ready: boolean; why: string };
}

export function startHttpServer(endpoints: HttpEndpoints, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      endpoints.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': endpoints.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const r = endpoints.ready();
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(`${r.why}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /readyz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`metrics server on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}
