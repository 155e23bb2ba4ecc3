// Shared setup of the controller integration tests: a real API server with manifests/ applied (CRDs,
// RBAC, Deployment — nothing runs it, but the API validates it), the controller run as a child process
// with its own ServiceAccount token, and small helpers to create Services and wait for their status.
import { join } from 'node:path';
import { CoreV1Api, type CoreV1Event, type V1Service } from '@kubernetes/client-node';
import {
  freeLoopbackPort,
  installManifests,
  startCluster,
  startControllerChild,
  waitFor,
  type Cluster,
  type ControllerChild,
} from '../../../src/lab/index.ts';

export { legacyConfigMap, MANIFESTS } from '../../../src/lab/index.ts';

/**
 * Leader election timings for tests: short enough that a takeover after a SIGKILL costs seconds, long
 * enough that a renew (every second) survives a loaded 2-core machine.
 */
export const TEST_ELECTION_ARGS = [
  '--leader-elect-lease-duration=6s',
  '--leader-elect-renew-deadline=4s',
  '--leader-elect-retry-period=1s',
];

export interface Env {
  cluster: Cluster;
  core: CoreV1Api;
  saKubeconfig: string;
  /** Starts (another) controller child; the previous one must have exited. */
  startController(extraArgs?: string[]): Promise<ControllerChild>;
  /** Starts one more replica (any number may run; each logs to controller-<name>.log); waits for /healthz. */
  startReplica(name: string, extraArgs?: string[]): Promise<ControllerChild>;
  controller(): ControllerChild;
  diagnostics(): string;
  stop(): Promise<void>;
}

/** Starts the API server with manifests/ applied; then creates `namespace` and applies `config`, when given. */
export async function setupEnv(opts: { namespace?: string; config?: string } = {}): Promise<Env> {
  const cluster = await startCluster();
  let current: ControllerChild | undefined;
  const replicas: { name: string; child: ControllerChild }[] = [];
  try {
    for (const text of installManifests()) await cluster.apply(text);
    const saKubeconfig = await cluster.serviceAccountKubeconfig('ferrolb-system', 'controller');
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    if (opts.namespace !== undefined) await createNamespace(core, opts.namespace);
    if (opts.config !== undefined) await cluster.apply(opts.config);
    const env: Env = {
      cluster,
      core,
      saKubeconfig,
      async startController(extraArgs = []) {
        if (current && current.exited() === undefined) throw new Error('startController: one is still running');
        const port = await freeLoopbackPort();
        current = startControllerChild({
          kubeconfig: saKubeconfig,
          metricsPort: port,
          logPath: join(cluster.dir, 'controller.log'),
          extraArgs: ['--log-level', 'debug', ...TEST_ELECTION_ARGS, ...extraArgs],
        });
        const child = current;
        await waitFor(async () => (await child.get('/healthz')).status === 200, {
          what: 'controller /healthz',
          timeoutMs: 30_000,
          abort: () => child.exited(),
          diagnostics: () => child.logTail(),
        });
        return child;
      },
      async startReplica(name, extraArgs = []) {
        const child = startControllerChild({
          kubeconfig: saKubeconfig,
          metricsPort: await freeLoopbackPort(),
          logPath: join(cluster.dir, `controller-${name}.log`),
          extraArgs: ['--log-level', 'debug', ...TEST_ELECTION_ARGS, ...extraArgs],
        });
        replicas.push({ name, child });
        await waitFor(async () => (await child.get('/healthz')).status === 200, {
          what: `controller replica ${name} /healthz`,
          timeoutMs: 60_000,
          abort: () => child.exited(),
          diagnostics: () => child.logTail(),
        });
        return child;
      },
      controller() {
        if (!current) throw new Error('no controller started');
        return current;
      },
      diagnostics() {
        const others = replicas
          .map((r) => `--- replica ${r.name} (${r.child.exited() ?? 'running'}) ---\n${r.child.logTail(30)}`)
          .join('\n');
        return `--- controller log ---\n${current?.logTail(60) ?? '(none)'}\n${others}\n${cluster.logTails(20)}`;
      },
      async stop() {
        for (const c of [current, ...replicas.map((r) => r.child)]) {
          if (c && c.exited() === undefined) {
            c.kill('SIGCONT');
            c.kill('SIGKILL');
            await c.waitExit();
          }
        }
        await cluster.stop();
      },
    };
    return env;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

export function lbService(
  namespace: string,
  name: string,
  opts: {
    families?: ('IPv4' | 'IPv6')[];
    policy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
    annotations?: Record<string, string>;
    loadBalancerIP?: string;
    lbClass?: string;
    port?: number;
    selector?: Record<string, string>;
  } = {},
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: opts.annotations ?? {} },
    spec: {
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: opts.port ?? 80, protocol: 'TCP', targetPort: 8080 }],
      selector: opts.selector ?? { app: name },
      ...(opts.families ? { ipFamilies: opts.families } : {}),
      ...(opts.policy ? { ipFamilyPolicy: opts.policy } : {}),
      ...(opts.loadBalancerIP ? { loadBalancerIP: opts.loadBalancerIP } : {}),
      ...(opts.lbClass ? { loadBalancerClass: opts.lbClass } : {}),
    },
  };
}

export const ingressOf = (svc: V1Service): string[] =>
  (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));

export async function createNamespace(
  core: CoreV1Api,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } });
}

/** Waits until `check` accepts the Service; returns it. */
export async function waitService(
  env: Env,
  namespace: string,
  name: string,
  what: string,
  check: (svc: V1Service) => boolean,
  timeoutMs = 30_000,
): Promise<V1Service> {
  return waitFor(
    async () => {
      const svc = await env.core.readNamespacedService({ name, namespace });
      return check(svc) ? svc : undefined;
    },
    { what: `${namespace}/${name}: ${what}`, timeoutMs, intervalMs: 100, diagnostics: () => env.diagnostics() },
  );
}

export async function eventsFor(core: CoreV1Api, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

export async function waitEvent(
  env: Env,
  namespace: string,
  name: string,
  reason: string,
  match?: RegExp,
): Promise<CoreV1Event> {
  return waitFor(
    async () =>
      (await eventsFor(env.core, namespace, name)).find(
        (e) => e.reason === reason && (!match || match.test(e.message ?? '')),
      ),
    {
      what: `Event ${reason} on ${namespace}/${name}${match ? ` matching ${match}` : ''}`,
      timeoutMs: 30_000,
      diagnostics: () => env.diagnostics(),
    },
  );
}

export async function metrics(env: Env): Promise<string> {
  const r = await env.controller().get('/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}: ${r.body}`);
  return r.body;
}
