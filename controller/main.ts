// FerroLB controller: wiring only. Flags → API clients → informers → Controller (allocator, reconcile,
// status writer, Events) → /metrics /healthz /readyz. SIGTERM/SIGINT stop everything and exit 0.
import { hostname } from 'node:os';
import { pino } from 'pino';
import { Allocator } from '../src/allocator/index.ts';
import { parseFlags } from '../src/cli/controller-flags.ts';
import { Controller, type ToRequest } from '../src/controller/controller.ts';
import { startHttpServer } from '../src/controller/http-server.ts';
import { ControllerMetrics } from '../src/controller/metrics.ts';
import { ApiEventRecorder } from '../src/k8s/event-recorder.ts';
import { loadKubeConfig, makeClients } from '../src/k8s/kube-client.ts';
import { controllerInformers } from '../src/k8s/resources.ts';
import { serviceToRequest } from '../src/k8s/service-request.ts';
import { ApiServiceWriter } from '../src/k8s/service-writer.ts';
import { systemClock } from '../src/time/index.ts';

const parsed = parseFlags(process.argv.slice(2));
if (!parsed.ok) {
  if (parsed.help) {
    process.stdout.write(parsed.message);
    process.exit(0);
  }
  process.stderr.write(`${parsed.message.trimEnd()}\n`);
  process.exit(2);
}
const flags = parsed.flags;
const log = pino({ level: flags.logLevel, base: { component: 'controller' } });

let clients;
try {
  clients = makeClients(loadKubeConfig(flags.kubeconfig));
} catch (err) {
  log.fatal({ error: (err as Error).message }, 'cannot build the Kubernetes client');
  process.exit(1);
}

const shutdown = new AbortController();
const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = systemClock.setTimer(ms, resolve);
    shutdown.signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
  });

const allocator = new Allocator();
const metrics = new ControllerMetrics(() => allocator.usage());
const informers = controllerInformers(clients, flags, { delay, now: () => systemClock.now(), log });
const controller = new Controller({
  ...informers,
  allocator,
  toRequest: serviceToRequest as ToRequest,
  writer: new ApiServiceWriter(clients.core),
  events: new ApiEventRecorder(clients.core, log, process.env.POD_NAME ?? hostname()),
  metrics,
  log,
  clock: systemClock,
  options: { ...flags, configDebounceMs: 200 },
});

let server: Awaited<ReturnType<typeof startHttpServer>>;
try {
  server = await startHttpServer({ registry: metrics.registry, ready: () => controller.readiness() }, flags.metricsPort, flags.metricsHost);
} catch (err) {
  log.fatal({ error: (err as Error).message }, 'cannot start the metrics server');
  process.exit(1);
}
const address = server.address();
log.info(
  { server: clients.server, port: typeof address === 'object' && address ? address.port : flags.metricsPort, lbClass: flags.lbClass ?? null },
  'controller starting',
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  shutdown.abort();
  await controller.stop();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  log.info({}, 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

await controller.start();
log.info({}, 'controller ready to allocate');
