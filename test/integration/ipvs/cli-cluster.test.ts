// `ferrolb ipvs --kubeconfig` against a real kube-apiserver + etcd (src/lab startCluster): a child process
// lists and watches Services and EndpointSlices made through the API and prints the plan. This machine's
// kernel has no IPVS, so it runs as a dry run against an assumed-empty kernel (the kernel side is proven
// in the VM test); every later block of output is what an API change changed.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../src/lab/vm.ts';
import { startCluster, waitFor, type Cluster } from '../../../src/lab/index.ts';

const NS = 'fi-shop';
let cluster: Cluster;
let core: CoreV1Api;
let discovery: DiscoveryV1Api;
let child: ChildProcess | undefined;
let out = '';
let err = '';

/** The lines of output blocks: each block ends with its "dry run: changes=N" line. */
function blocks(): string[][] {
  const all: string[][] = [];
  let cur: string[] = [];
  for (const l of out.split('\n')) {
    if (l === '') continue;
    cur.push(l);
    if (l.startsWith('dry run: ')) {
      all.push(cur);
      cur = [];
    }
  }
  return all;
}

async function nextBlock(seen: number, what: string): Promise<string[]> {
  return waitFor(() => blocks()[seen], {
    what,
    timeoutMs: 120_000,
    intervalMs: 100,
    abort: () => (child?.exitCode !== null ? `ferrolb ipvs exited ${child?.exitCode}: ${err}` : undefined),
    diagnostics: () => `stdout:\n${out}\nstderr:\n${err}`,
  });
}

async function setSlice(addresses: string[]): Promise<void> {
  const name = 'web-fi1';
  const body = {
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], nodeName: 'node-a', conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
  try {
    const old = await discovery.readNamespacedEndpointSlice({ name, namespace: NS });
    await discovery.replaceNamespacedEndpointSlice({
      name,
      namespace: NS,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion } },
    });
  } catch (e) {
    if ((e as { code?: number }).code !== 404) throw e;
    await discovery.createNamespacedEndpointSlice({ namespace: NS, body });
  }
}

describe('ferrolb ipvs --kubeconfig (real kube-apiserver, dry run)', () => {
  beforeAll(async () => {
    cluster = await startCluster();
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    discovery = cluster.kubeConfig.makeApiClient(DiscoveryV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await core.createNamespacedService({
      namespace: NS,
      body: {
        metadata: { name: 'web', namespace: NS },
        spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    });
    const svc = await core.readNamespacedService({ name: 'web', namespace: NS });
    svc.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    await core.replaceNamespacedServiceStatus({ name: 'web', namespace: NS, body: svc });
    await setSlice(['203.0.113.1', '203.0.113.2']);
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    await cluster?.stop();
  }, 60_000);

  it('prints the plan of what is in the cluster, then what each change through the API changed', async () => {
    child = spawn(
      join(REPO_ROOT, 'node_modules/.bin/node'),
      [
        join(REPO_ROOT, 'bin/ferrolb.ts'),
        'ipvs',
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--dry-run',
        '--assume-empty',
        '--node-name',
        'node-a',
        '--debounce',
        '100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));

    const first = await nextBlock(0, 'the first plan');
    expect(first.filter((l) => l.startsWith('create-set'))).toHaveLength(10);
    expect(first.filter((l) => !l.startsWith('create-set'))).toEqual([
      'add-address 192.0.2.10',
      'add-service TCP/192.0.2.10:80 scheduler=rr',
      'add-real TCP/192.0.2.10:80 -> 203.0.113.1:8080 weight=1',
      'add-real TCP/192.0.2.10:80 -> 203.0.113.2:8080 weight=1',
      'add-member KUBE-LOAD-BALANCER 192.0.2.10,tcp:80',
      'dry run: changes=15',
    ]);

    // An endpoint replaced: one real server added, the old one drains.
    await setSlice(['203.0.113.1', '203.0.113.3']);
    expect(await nextBlock(1, 'the plan after the EndpointSlice changed')).toEqual([
      'add-real TCP/192.0.2.10:80 -> 203.0.113.3:8080 weight=1',
      'drain-real TCP/192.0.2.10:80 -> 203.0.113.2:8080 weight=1→0',
      'dry run: changes=2',
    ]);

    // The scheduler annotation and a source range.
    const svc = await core.readNamespacedService({ name: 'web', namespace: NS });
    svc.metadata!.annotations = { 'ferrolb.io/ipvs-scheduler': 'sh' };
    svc.spec!.loadBalancerSourceRanges = ['198.51.100.0/24'];
    await core.replaceNamespacedService({ name: 'web', namespace: NS, body: svc });
    expect(await nextBlock(2, 'the plan after the Service changed')).toEqual([
      'edit-service TCP/192.0.2.10:80 scheduler=sh',
      'add-member KUBE-LOAD-BALANCER-FW 192.0.2.10,tcp:80',
      'add-member KUBE-LOAD-BALANCER-SOURCE-CIDR 192.0.2.10,tcp:80,198.51.100.0/24',
      'dry run: changes=3',
    ]);

    // The Service deleted: its virtual server, members and address go.
    await core.deleteNamespacedService({ name: 'web', namespace: NS });
    expect(await nextBlock(3, 'the plan after the Service was deleted')).toEqual([
      'del-service TCP/192.0.2.10:80',
      'del-member KUBE-LOAD-BALANCER 192.0.2.10,tcp:80',
      'del-member KUBE-LOAD-BALANCER-FW 192.0.2.10,tcp:80',
      'del-member KUBE-LOAD-BALANCER-SOURCE-CIDR 192.0.2.10,tcp:80,198.51.100.0/24',
      'del-address 192.0.2.10',
      'dry run: changes=5',
    ]);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) =>
      child!.exitCode !== null ? r(child!.exitCode) : child!.once('exit', (c) => r(c)),
    );
    expect(code).toBe(0);
    expect(err).toBe('');
  }, 300_000);
});
