// FerroLB controller: wiring only. Flags → REST client → leader election on a Lease → (on the leader)
// informers → Controller (allocator, reconcile, fenced status writes, Events) → /metrics /healthz
// /readyz. A standby only runs for the Lease. SIGTERM/SIGINT: stop writing, wait for the writes in
// flight, release the Lease, exit 0. Leadership lost (e.g. the API server was away past the renew
// deadline): writes stop at once (the fence), the controller and its allocator are dropped, and the
// replica runs for the Lease again as a standby; a newer leader's term seen on a Service: exit 1.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createLogger } from '../src/log/index.ts';
import { Allocator } from '../src/allocator/index.ts';
import { parseFlags } from '../src/cli/controller-flags.ts';
import { Controller, type ToRequest } from '../src/controller/controller.ts';
import { ensureMemberlistSecret, restSecretApi } from '../src/controller/memberlist-secret.ts';
import { startHttpServer } from '../src/controller/http-server.ts';
import { ControllerMetrics } from '../src/controller/metrics.ts';
import { ApiEventRecorder, restEventApi } from '../src/k8s/event-recorder.ts';
import { loadKubeTarget } from '../src/k8s/kubeconfig.ts';
import { LeaderElector, type Leadership } from '../src/k8s/lease/elector.ts';
import { restLeaseApi } from '../src/k8s/lease/lease-api.ts';
import { checkElectionConfig } from '../src/k8s/lease/rules.ts';
import { controllerInformers } from '../src/k8s/resources.ts';
import { KubeRest } from '../src/k8s/rest.ts';
import { serviceToRequest } from '../src/k8s/service-request.ts';
import { ApiServiceWriter, type WriteFence } from '../src/k8s/service-writer.ts';
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
const log = createLogger({ level: flags.logLevel, base: { component: 'controller' } });
const identity = `${process.env.POD_NAME ?? hostname()}_${randomUUID()}`;
const election = {
  identity,
  leaseDurationMs: flags.leaseDurationMs,
  renewDeadlineMs: flags.renewDeadlineMs,
  retryPeriodMs: flags.retryPeriodMs,
};
if (flags.leaderElect) {
  const problems = checkElectionConfig(election);
  if (problems.length > 0) {
    process.stderr.write(`leader election flags: ${problems.join('; ')}\n`);
    process.exit(2);
  }
}

let rest: KubeRest;
try {
  rest = new KubeRest(loadKubeTarget(flags.kubeconfig), { now: systemClock.now, maxSockets: flags.workers + 2 });
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

let allocator: Allocator | undefined;
const metrics = new ControllerMetrics(() => allocator?.usage() ?? []);
let stopping = false;
let elector: LeaderElector | undefined;
let controller: Controller | undefined;
let standbyWhy = 'waiting for the Lease';

const fence: WriteFence = {
  canWrite: () => !stopping && (elector === undefined || elector.canWrite()),
  leader: () => {
    const l = elector?.leadership;
    return l ? { term: l.term, identity: l.identity } : undefined;
  },
};

function deposed(reason: string): void {
  if (stopping) return;
  metrics.leader.set(0);
  log.error({ reason }, 'another replica leads with a newer term: exiting (restarted as a standby)');
  process.exit(1);
}

function standBy(reason: string): void {
  metrics.leader.set(0);
  const running = controller;
  controller = undefined;
  allocator = undefined;
  standbyWhy = `lost the Lease (${reason})`;
  log.warn({ reason }, 'leadership lost: writes stopped; standing by');
  void running?.stop();
}

function lead(l: Leadership | undefined): void {
  metrics.leader.set(1);
  allocator = new Allocator();
  const informers = controllerInformers(rest, flags, { delay, now: systemClock.now, log });
  controller = new Controller({
    ...informers,
    allocator,
    toRequest: serviceToRequest as ToRequest,
    writer: new ApiServiceWriter(rest, fence),
    events: new ApiEventRecorder(restEventApi(rest), log, process.env.POD_NAME ?? hostname()),
    metrics,
    log,
    clock: systemClock,
    options: { ...flags, configDebounceMs: 200 },
    onDeposed: deposed,
  });
  void controller.start({ fence: l?.takeover === true }).then(
    () => log.info({ term: l?.term ?? null }, 'controller ready to allocate'),
    (err: unknown) => deposed(`start failed: ${(err as Error).message}`),
  );
}

let server: Awaited<ReturnType<typeof startHttpServer>>;
try {
  server = await startHttpServer(
    {
      registry: metrics.registry,
      ready: () => (controller ? controller.readiness() : { ready: true, why: `standby: ${standbyWhy}` }),
    },
    flags.metricsPort,
    flags.metricsHost,
  );
} catch (err) {
  log.fatal({ error: (err as Error).message }, 'cannot start the metrics server');
  process.exit(1);
}
log.info(
  {
    server: rest.server,
    port: server.port,
    lbClass: flags.lbClass ?? null,
    identity,
    leaderElect: flags.leaderElect,
  },
  'controller starting',
);

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true; // from here on the fence refuses every write
  log.info({ signal }, 'shutting down');
  shutdown.abort();
  await controller?.stop(); // waits for the writes in flight
  await elector?.stop({ release: true });
  await server.close();
  rest.close();
  log.info({}, 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

// The speakers' gossip key: created when missing, retried in the background until it exists.
void (async () => {
  const secrets = restSecretApi(rest);
  for (let attempt = 1; !shutdown.signal.aborted; attempt++) {
    if (
      (await ensureMemberlistSecret(secrets, { namespace: flags.configNamespace, name: 'memberlist' }, log)) !==
      'failed'
    )
      return;
    await delay(Math.min(30_000, 500 * 2 ** attempt));
  }
})();

metrics.leader.set(0);
if (flags.leaderElect) {
  elector = new LeaderElector({
    api: restLeaseApi(rest, flags.leaseNamespace ?? flags.configNamespace, flags.leaseName),
    config: election,
    clock: systemClock,
    random: Math.random,
    log,
    onStartedLeading: lead,
    onStoppedLeading: standBy,
    onNewLeader: (holder) => (standbyWhy = `${holder} leads`),
  });
  elector.start();
} else {
  lead(undefined);
}
