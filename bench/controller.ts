// Controller throughput and memory against a real local API server: create 1,000 and 5,000
// LoadBalancer Services and time until every one has its status; print Services/s, the controller's
// idle RSS (VmRSS once ready, no Services) and its peak RSS (VmHWM) at each size.
// Baseline, measured in the same run: the same API work done by this process with no controller at
// all (create, then status replace, annotation patch and Event per Service, same parallelism) — the
// API server's own floor for this workload. Services set allocateLoadBalancerNodePorts: false (the
// NodePort range holds only 2,768 ports). Benchmarks print figures; they assert nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import {
  CONTROLLER_MAIN,
  freeLoopbackPort,
  installManifests,
  legacyConfigMap,
  MANIFESTS,
  metricValue,
  PROJECT_NODE,
  startCluster,
  startControllerChild,
  waitFor,
  type Cluster,
  type ControllerChild,
} from '../src/lab/index.ts';
import { procStatusKib } from '../src/lab/logged-child.ts';
import { WATCH_BACKOFF } from '../src/k8s/watch-backoff.ts';
import { Informer, type ListResult } from '../src/k8s/informer.ts';
import { loadKubeConfig, makeClients } from '../src/k8s/kube-client.ts';

/** FERROLB_BENCH_SIZES=200,1000 overrides the sizes (e.g. for a quick look); FERROLB_BENCH_NODE_OPTIONS the controller's V8 flags. */
const SIZES = (process.env.FERROLB_BENCH_SIZES ?? '1000,5000')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const CLIENT_PARALLELISM = 16;
const CONFIG = legacyConfigMap(`
- name: bench
  protocol: layer2
  addresses: [2001:db8::/64]
`);

function service(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: {
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      ipFamilies: ['IPv6'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP' }],
      selector: { app: name },
    },
  };
}

/** VmRSS of a process in KiB (what it holds now), or 0 once it has exited. */
function rssKib(pid: number): number {
  return procStatusKib(pid, 'VmRSS') ?? 0;
}

/**
 * The image ships a warm Node compile cache (NODE_COMPILE_CACHE, see the Dockerfile): the TypeScript is
 * stripped and compiled at build time, so the controller never loads the type stripper (~30 MiB of RSS).
 * The benchmark does the same with a cache of its own, warmed by one `--help` run with the same options.
 */
function compileCache(nodeOptions: string): string {
  const dir = join(process.env.FERROLB_CACHE ?? join(homedir(), '.cache', 'ferrolb'), 'node-compile-cache');
  mkdirSync(dir, { recursive: true });
  spawnSync(PROJECT_NODE, [CONTROLLER_MAIN, '--help'], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions, NODE_COMPILE_CACHE: dir },
    stdio: 'ignore',
  });
  return dir;
}

/** NODE_OPTIONS of the controller Deployment, so the figures are those of the shipped settings. */
function deploymentNodeOptions(): string {
  if (process.env.FERROLB_BENCH_NODE_OPTIONS !== undefined) return process.env.FERROLB_BENCH_NODE_OPTIONS; // to compare V8 flags
  const text = readFileSync(join(MANIFESTS, '04-controller-deployment.yaml'), 'utf8');
  const m = /- name: NODE_OPTIONS\s+value: (.+)/.exec(text);
  if (!m) throw new Error('04-controller-deployment.yaml sets no NODE_OPTIONS');
  return m[1]!.trim();
}

/** Deletes the namespace's Services; a loaded API server may time out (504): retried, never fatal to the figures. */
async function cleanUp(core: CoreV1Api, namespace: string): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await core.deleteCollectionNamespacedService({ namespace });
      return;
    } catch (err) {
      if (attempt === 5)
        console.error(`bench cleanup of ${namespace} failed: ${(err as Error).message.split('\n')[0]}`);
      else await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
}

async function parallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Counts the Services of a namespace that have an ingress IP, from a watch (no polling of big lists). */
function statusCounter(cluster: Cluster, namespace: string): { count: () => number; stop: () => Promise<void> } {
  const c = makeClients(loadKubeConfig(cluster.kubeconfigPath));
  const done = new Set<string>();
  const inf = new Informer<V1Service>({
    name: `bench-${namespace}`,
    path: `/api/v1/namespaces/${namespace}/services`,
    list: () => c.core.listNamespacedService({ namespace }) as Promise<ListResult<V1Service>>,
    watch: c.watch,
    backoff: WATCH_BACKOFF,
    delay: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => performance.now(),
    log: { info: () => {}, warn: () => {} },
  });
  const see = (s: V1Service): void => {
    if ((s.status?.loadBalancer?.ingress ?? []).length > 0) done.add(s.metadata?.name ?? '');
  };
  inf.on({ onAdd: see, onUpdate: see });
  inf.start();
  return { count: () => done.size, stop: () => inf.stop() };
}

async function withController(
  cluster: Cluster,
  saKubeconfig: string,
  n: number,
  cacheDir: string | undefined,
): Promise<{ seconds: number; peakKib: number; idleKib: number; cpuSeconds: number }> {
  const namespace = `bench-${n}`;
  const core = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const saved = process.env.NODE_COMPILE_CACHE;
  if (cacheDir === undefined) delete process.env.NODE_COMPILE_CACHE;
  else process.env.NODE_COMPILE_CACHE = cacheDir; // inherited by the child
  let child: ControllerChild;
  try {
    child = startControllerChild({
      kubeconfig: saKubeconfig,
      metricsPort: await freeLoopbackPort(),
      logPath: join(cluster.dir, `controller-${n}.log`),
      extraArgs: ['--log-level', 'warn'],
      nodeOptions: deploymentNodeOptions(),
    });
  } finally {
    if (saved === undefined) delete process.env.NODE_COMPILE_CACHE;
    else process.env.NODE_COMPILE_CACHE = saved;
  }
  try {
    await waitFor(
      async () =>
        metricValue((await child.get('/metrics')).body, 'ferrolb_controller_leader') === 1 &&
        (await child.get('/readyz')).status === 200,
      {
        what: 'controller ready (leader, synced)',
        timeoutMs: 60_000,
        abort: () => child.exited(),
        diagnostics: () => child.logTail(),
      },
    );
    await new Promise((r) => setTimeout(r, 2000)); // settle: idle means after start-up, not during it
    const idleKib = rssKib(child.pid);
    const cpu0 = child.cpuSeconds() ?? 0;
    const counter = statusCounter(cluster, namespace);
    const names = Array.from({ length: n }, (_, i) => `svc-${i}`);
    const t0 = performance.now();
    await parallel(names, CLIENT_PARALLELISM, (name) =>
      core.createNamespacedService({ namespace, body: service(namespace, name) }),
    );
    await waitFor(() => counter.count() === n, {
      what: `${n} Services with status`,
      timeoutMs: 900_000,
      intervalMs: 50,
      abort: () => child.exited(),
      diagnostics: () => child.logTail(),
    });
    const seconds = (performance.now() - t0) / 1000;
    const peakKib = child.peakRssKib() ?? 0;
    const cpuSeconds = (child.cpuSeconds() ?? 0) - cpu0;
    await counter.stop();
    return { seconds, peakKib, idleKib, cpuSeconds };
  } finally {
    child.kill('SIGTERM');
    await child.waitExit();
    await cleanUp(core, namespace);
  }
}

/** The same API calls per Service, issued directly: create, one status PUT carrying the pool annotation, Event. */
async function apiFloor(cluster: Cluster, n: number): Promise<number> {
  const namespace = `floor-${n}`;
  const core = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const names = Array.from({ length: n }, (_, i) => `svc-${i}`);
  let next = 0n;
  const t0 = performance.now();
  await parallel(names, CLIENT_PARALLELISM, async (name) => {
    const created = await core.createNamespacedService({ namespace, body: service(namespace, name) });
    const ip = `2001:db8::${(++next).toString(16)}`;
    const metadata = {
      ...created.metadata,
      annotations: {
        'metallb.io/ip-allocated-from-pool': 'bench',
        'metallb.universe.tf/ip-allocated-from-pool': 'bench',
      },
    };
    await core.replaceNamespacedServiceStatus({
      name,
      namespace,
      body: { ...created, metadata, status: { loadBalancer: { ingress: [{ ip }] } } },
    });
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${name}.` },
        involvedObject: { kind: 'Service', name, namespace },
        reason: 'IPAllocated',
        message: ip,
        type: 'Normal',
      },
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  await cleanUp(core, namespace);
  return seconds;
}

export async function run(): Promise<string[]> {
  const cluster = await startCluster();
  const lines: string[] = [];
  try {
    for (const text of installManifests()) await cluster.apply(text);
    await cluster.apply(CONFIG);
    const sa = await cluster.serviceAccountKubeconfig('ferrolb-system', 'controller', { expirationSeconds: 7200 });
    await apiFloor(cluster, 200); // warm the API server up
    lines.push(
      `controller NODE_OPTIONS (${process.env.FERROLB_BENCH_NODE_OPTIONS !== undefined ? 'FERROLB_BENCH_NODE_OPTIONS' : 'from the Deployment'}): ${deploymentNodeOptions()}`,
    );
    lines.push(
      `create N LoadBalancer Services (IPv6, pool 2001:db8::/64), ${CLIENT_PARALLELISM} client requests in flight, until all have status.loadBalancer`,
    );
    const cacheDir = compileCache(deploymentNodeOptions());
    lines.push(`controller compile cache (as in the image): ${cacheDir}; FERROLB_BENCH_NO_CACHE=1 measures without it`);
    const useCache = process.env.FERROLB_BENCH_NO_CACHE === '1' ? undefined : cacheDir;
    for (const n of SIZES) {
      const ctl = await withController(cluster, sa, n, useCache);
      const floor = await apiFloor(cluster, n);
      lines.push(`${n.toLocaleString('en')} Services`);
      lines.push(
        `  ferrolb controller          ${ctl.seconds.toFixed(2).padStart(7)} s  ${(n / ctl.seconds).toFixed(0).padStart(6)} Services/s  idle RSS ${(ctl.idleKib / 1024).toFixed(1)} MiB  peak RSS ${(ctl.peakKib / 1024).toFixed(1)} MiB  CPU ${ctl.cpuSeconds.toFixed(1)} s`,
      );
      lines.push(
        `  API floor (same calls, no controller) ${floor.toFixed(2).padStart(7)} s  ${(n / floor).toFixed(0).padStart(6)} Services/s`,
      );
      lines.push(`  controller / floor time: ${(ctl.seconds / floor).toFixed(2)}x`);
    }
  } finally {
    await cluster.stop();
  }
  return lines;
}

if (import.meta.main) {
  for (const l of await run()) console.log(l);
}
