// A byte forwarder between a TCP address and a Unix socket, so processes in network namespaces reach
// the lab's API server (and the lab reaches their metrics) without any address in the host namespace:
// Unix socket paths are not namespaced. In-process (`forward()`) on the host side; as a small process
// (`node src/lab/forward.ts LISTEN CONNECT`) started with `ip netns exec` on the namespace side.
//   LISTEN / CONNECT: tcp:HOST:PORT or unix:/path
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) return { kind: 'unix', path: text.slice(5) };
  const m = /^tcp:(.+):(\d+)$/.exec(text);
  if (!m) throw new Error(`forward: "${text}" is not tcp:HOST:PORT or unix:/path`);
  return { kind: 'tcp', host: m[1] as string, port: Number(m[2]) };
}

function connect(to: Endpoint): Socket {
  return to.kind === 'unix' ? createConnection(to.path) : createConnection(to.port, to.host);
}

/** Listens on `listen`; every accepted connection is piped to a new connection to `to`. */
export function forward(listen: Endpoint, to: Endpoint): Promise<Server> {
  const server = createServer((a) => {
    const b = connect(to);
    a.pipe(b);
    b.pipe(a);
    const close = (): void => {
      a.destroy();
      b.destroy();
    };
    a.on('error', close).on('close', close);
    b.on('error', close).on('close', close);
  });
  if (listen.kind === 'unix') rmSync(listen.path, { force: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve(server);
    };
    if (listen.kind === 'unix') server.listen(listen.path, done);
    else server.listen(listen.port, listen.host, done);
  });
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [listen, to] = process.argv.slice(2);
  if (!listen || !to) {
    process.stderr.write('usage: forward.ts LISTEN CONNECT   (tcp:HOST:PORT or unix:/path)\n');
    process.exit(2);
  }
  const server = await forward(parseEndpoint(listen), parseEndpoint(to));
  process.stdout.write('forwarding\n');
  const stop = (): void => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
