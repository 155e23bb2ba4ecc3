// Controller throughput against a real local API server: create 1,000 and 5,000 LoadBalancer Services
// and time until every one has its status; print Services/s and the controller's peak RSS (VmHWM).
// Baseline, measured in the same run: the same API work done by this process with no controller at
// all (create, then status replace, annotation patch and Event per Service, same parallelism) — the
// API server's own floor for this workload. Services set allocateLoadBalancerNodePorts: false (the
// NodePort range holds only 2,768 ports). Benchmarks print figures; they assert nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import {
  freeLoopbackPort, installManifests, legacyConfigMap, MANIFESTS, startCluster, startControllerChild, waitFor, type Cluster,
  type ControllerChild,
} from '../src/lab/index.ts';
import { WATCH_BACKOFF } from '../src/k8s/watch-backoff.ts';
import { Informer, type ListResult } from '../src/k8s/informer.ts';
import { loadKubeConfig, makeClients } from '../src/k8s/kube-client.ts';

/** FERROLB_BENCH_SIZES=200,1000 overrides the sizes (e.g. for a quick look). */
const SIZES = (process.env.FERROLB_BENCH_SIZES ?? '1000,5000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const CLIENT_PARALLELISM = 16;
const CONFIG = legacyConfigMap(`
- name: bench
  protocol: layer2
  addresses: [2001:db8::/64]
`);

function service(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } },
  };
}

/** NODE_OPTIONS of the controller Deployment, so the figures are those of the shipped settings. */
function deploymentNodeOptions(): string {
  const text = readFileSync(join(MANIFESTS, '04-controller-deployment.yaml'), 'utf8');
  const m = /- name: NODE_OPTIONS\s+value: (.+)/.exec(text);
  if (!m) throw new Error('04-controller-deployment.yaml sets no NODE_OPTIONS');
  return m[1]!.trim();
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
): Promise<{ seconds: number; peakKib: number; idleKib: number; cpuSeconds: number }> {
  const namespace = `bench-${n}`;
  const core = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const child: ControllerChild = startControllerChild({
    kubeconfig: saKubeconfig,
    metricsPort: await freeLoopbackPort(),
    logPath: join(cluster.dir, `controller-${n}.log`),
    extraArgs: ['--log-level', 'warn'],
    nodeOptions: deploymentNodeOptions(),
  });
  try {
    await waitFor(async () => (await child.get('/readyz')).status === 200, { what: 'controller ready', timeoutMs: 60_000, abort: () => child.exited(), diagnostics: () => child.logTail() });
    const idleKib = child.peakRssKib() ?? 0;
    const cpu0 = child.cpuSeconds() ?? 0;
    const counter = statusCounter(cluster, namespace);
    const names = Array.from({ length: n }, (_, i) => `svc-${i}`);
    const t0 = performance.now();
    await parallel(names, CLIENT_PARALLELISM, (name) => core.createNamespacedService({ namespace, body: service(namespace, name) }));
    await waitFor(() => counter.count() === n, { what: `${n} Services with status`, timeoutMs: 900_000, intervalMs: 50, abort: () => child.exited(), diagnostics: () => child.logTail() });
    const seconds = (performance.now() - t0) / 1000;
    const peakKib = child.peakRssKib() ?? 0;
    const cpuSeconds = (child.cpuSeconds() ?? 0) - cpu0;
    await counter.stop();
    return { seconds, peakKib, idleKib, cpuSeconds };
  } finally {
    child.kill('SIGTERM');
    await child.waitExit();
    await core.deleteCollectionNamespacedService({ namespace });
  }
}

/** The same API calls per Service, issued directly: create, status replace, annotation patch, Event. */
async function apiFloor(cluster: Cluster, n: number): Promise<number> {
  const namespace = `floor-${n}`;
  const core = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const names = Array.from({ length: n }, (_, i) => `svc-${i}`);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  let next = 0n;
  const t0 = performance.now();
  await parallel(names, CLIENT_PARALLELISM, async (name) => {
    const created = await core.createNamespacedService({ namespace, body: service(namespace, name) });
    const ip = `2001:db8::${(++next).toString(16)}`;
    await core.replaceNamespacedServiceStatus({ name, namespace, body: { ...created, status: { loadBalancer: { ingress: [{ ip }] } } } });
    await core.patchNamespacedService({ name, namespace, body: { metadata: { annotations: { 'metallb.io/ip-allocated-from-pool': 'bench' } } } }, merge);
    await core.createNamespacedEvent({
      namespace,
      body: { metadata: { generateName: `${name}.` }, involvedObject: { kind: 'Service', name, namespace }, reason: 'IPAllocated', message: ip, type: 'Normal' },
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  await core.deleteCollectionNamespacedService({ namespace });
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
    lines.push(`controller NODE_OPTIONS (from the Deployment): ${deploymentNodeOptions()}`);
    lines.push(`create N LoadBalancer Services (IPv6, pool 2001:db8::/64), ${CLIENT_PARALLELISM} client requests in flight, until all have status.loadBalancer`);
    for (const n of SIZES) {
      const ctl = await withController(cluster, sa, n);
      const floor = await apiFloor(cluster, n);
      lines.push(`${n.toLocaleString('en')} Services`);
      lines.push(`  ferrolb controller          ${ctl.seconds.toFixed(2).padStart(7)} s  ${(n / ctl.seconds).toFixed(0).padStart(6)} Services/s  peak RSS ${(ctl.peakKib / 1024).toFixed(1)} MiB (after sync ${(ctl.idleKib / 1024).toFixed(1)} MiB), CPU ${ctl.cpuSeconds.toFixed(1)} s`);
      lines.push(`  API floor (same calls, no controller) ${floor.toFixed(2).padStart(7)} s  ${(n / floor).toFixed(0).padStart(6)} Services/s`);
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
