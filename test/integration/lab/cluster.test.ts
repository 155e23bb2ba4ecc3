// Smoke test of the lab (src/lab) against a real etcd + kube-apiserver (built by
// scripts/k8s-binaries.sh). Missing binaries make this FAIL with the script's message, never skip.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  AuthenticationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  VersionApi,
  setHeaderOptions,
  type V1Service,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiStatus,
  loadKubeconfig,
  locateK8sBinaries,
  parseManifests,
  startCluster,
  waitFor,
  type Cluster,
} from '../../../src/lab/index.ts';

const NS = 'harness-smoke';

const SERVICE_YAML = `
apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${NS}
spec:
  type: LoadBalancer
  selector: { app: web }
  ports:
    - name: http
      port: 80
      targetPort: 8080
      protocol: TCP
`;

const CRD_YAML = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.harness.ferrolb.test
spec:
  group: harness.ferrolb.test
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                addresses: { type: array, items: { type: string } }
---
apiVersion: harness.ferrolb.test/v1
kind: Widget
metadata:
  name: pool-a
  namespace: ${NS}
spec:
  addresses: ["192.0.2.0/28", "2001:db8::/120"]
`;

const RBAC_YAML = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: service-reader
  namespace: ${NS}
rules:
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader-reads-services
  namespace: ${NS}
subjects:
  - kind: ServiceAccount
    name: reader
    namespace: ${NS}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: service-reader
`;

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Status of the rejection of `p`, failing the test if it resolves. */
async function rejectionStatus(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    return apiStatus(err);
  }
  throw new Error('expected the call to be rejected, it succeeded');
}

describe('k8s binaries', () => {
  it('fails loudly, with the script message, when the binaries are not built', async () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'ferrolb-nocache-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, FERROLB_CACHE: emptyCache };
      delete env.KUBEBUILDER_ASSETS;
      await expect(locateK8sBinaries(env)).rejects.toThrow(/are not built: .*Run scripts\/k8s-binaries\.sh first/);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});

/** True while `pid` is a live process (a zombie counts as dead: it only waits to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('daemons do not outlive a test process killed with SIGKILL', () => {
  it('etcd and kube-apiserver die with their parent (PR_SET_PDEATHSIG via setpriv)', async () => {
    const repoNode = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
    const index = fileURLToPath(new URL('../../../src/lab/index.ts', import.meta.url));
    const code = `import { startCluster } from ${JSON.stringify(index)};
      const c = await startCluster();
      console.log(JSON.stringify({ dir: c.dir, ...c.processIds() }));
      setInterval(() => {}, 60_000);`;
    const child = spawn(existsSync(repoNode) ? repoNode : process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    let started: { dir: string; etcd?: number; kubeApiserver?: number } | undefined;
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before starting a cluster:\n${stderr}`)));
      });
      started = JSON.parse(firstLine) as typeof started;
      expect(started?.etcd).toBeGreaterThan(0);
      expect(started?.kubeApiserver).toBeGreaterThan(0);
      expect(alive(started!.etcd!) && alive(started!.kubeApiserver!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    const pids = [started!.etcd!, started!.kubeApiserver!];
    try {
      await waitFor(() => pids.every((pid) => !alive(pid)), {
        what: `etcd (${pids[0]}) and kube-apiserver (${pids[1]}) to die after their parent was killed`,
        timeoutMs: 10_000,
      });
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL'); // only if the test failed
      rmSync(started!.dir, { recursive: true, force: true }); // SIGKILL skipped the exit handler
    }
  }, 180_000);
});

describe('scripts/k8s/scratch-gomod.sh', () => {
  const script = fileURLToPath(new URL('../../../scripts/k8s/scratch-gomod.sh', import.meta.url));
  const gomod = (dir: string, text: string): string => {
    const path = join(dir, 'go.mod');
    writeFileSync(path, text);
    return path;
  };

  it('replaces every ./staging module of the release go.mod (block and one-line forms) by v0.<minor>.<patch>', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrolb-gomod-'));
    try {
      const path = gomod(
        dir,
        [
          'module k8s.io/kubernetes',
          '',
          'go 1.26.0',
          '',
          'require (',
          '\tk8s.io/api v0.0.0',
          '\tgithub.com/x/y v1.2.3',
          ')',
          '',
          'replace (',
          '\tk8s.io/api => ./staging/src/k8s.io/api',
          '\tk8s.io/kms => ./staging/src/k8s.io/kms',
          ')',
          'replace k8s.io/client-go => ./staging/src/k8s.io/client-go',
          'replace github.com/x/y => github.com/x/y v1.2.4',
          '',
        ].join('\n'),
      );
      const out = execFileSync('bash', [script, 'v1.36.3', path], { encoding: 'utf8' });
      expect(out).toContain('require k8s.io/kubernetes v1.36.3');
      expect(out).toContain('go 1.26.0');
      const replaces = out
        .split('\n')
        .filter((l) => l.includes(' => '))
        .map((l) => l.trim());
      expect(replaces).toEqual([
        'k8s.io/api => k8s.io/api v0.36.3',
        'k8s.io/client-go => k8s.io/client-go v0.36.3',
        'k8s.io/kms => k8s.io/kms v0.36.3',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a go.mod without staging replaces, and a version that is not v1.X.Y', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrolb-gomod-'));
    try {
      const path = gomod(dir, 'module k8s.io/kubernetes\n\ngo 1.26.0\n');
      expect(() => execFileSync('bash', [script, 'v1.36.3', path], { encoding: 'utf8', stdio: 'pipe' })).toThrow(
        /found no \.\/staging\/src replaces/,
      );
      expect(() => execFileSync('bash', [script, '1.36', path], { encoding: 'utf8', stdio: 'pipe' })).toThrow(
        /'1.36' is not a v1.X.Y release/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startCluster with bad input', () => {
  it('rejects a malformed service range before starting anything', async () => {
    await expect(startCluster({ serviceClusterIpRange: '10.96.0.0' })).rejects.toThrow(
      'startCluster: serviceClusterIpRange: "10.96.0.0" is not a CIDR (missing "/prefix")',
    );
  });

  it('reports a kube-apiserver that exits at start with its exit status and log tail', async () => {
    await expect(startCluster({ extraApiServerArgs: ['--no-such-flag'] })).rejects.toThrow(
      /gave up waiting for kube-apiserver .*exited with code 1[^]*unknown flag: --no-such-flag/,
    );
  }, 180_000);
});

describe('manifest parsing', () => {
  it('names the document and the missing field', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: Service\n')).toThrow(
      'apply: document 2 has no apiVersion',
    );
    expect(() => parseManifests('apiVersion: v1\nkind: Service\nmetadata: {}\n')).toThrow(
      'document 1 (Service) has no metadata.name',
    );
    expect(() => parseManifests('a: [b\n')).toThrow(/document 1 is not valid YAML/);
    expect(parseManifests(`${SERVICE_YAML}\n---\n`).map((o) => o.kind)).toEqual(['Namespace', 'Service']);
  });
});

describe('startCluster (real etcd + kube-apiserver)', () => {
  let cluster: Cluster;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startCluster();
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && cluster) console.error(cluster.logTails(60));
  });

  it('serves the pinned Kubernetes version to the admin identity', async () => {
    const version = await cluster.kubeConfig.makeApiClient(VersionApi).getCode();
    // scripts/k8s-binaries.sh pins v1.36.3; binaries from KUBEBUILDER_ASSETS may be any release.
    if (process.env.KUBEBUILDER_ASSETS) expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    else expect(version.gitVersion).toBe('v1.36.3');
    const review = await cluster.kubeConfig.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe('ferrolb-admin');
    expect(review.status?.userInfo?.groups).toContain('system:masters');
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('applies a Namespace and a LoadBalancer Service, and writes status through the status subresource', async () => {
    const applied = await cluster.apply(SERVICE_YAML);
    expect(applied.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Namespace/harness-smoke', 'Service/web']);

    const svc = await core.readNamespacedService({ name: 'web', namespace: NS });
    expect(svc.spec?.type).toBe('LoadBalancer');
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(svc.status?.loadBalancer?.ingress ?? []).toEqual([]);

    await core.patchNamespacedServiceStatus(
      {
        name: 'web',
        namespace: NS,
        body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } } },
      },
      mergePatch,
    );
    const after = await core.readNamespacedServiceStatus({ name: 'web', namespace: NS });
    expect(after.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.10', ipMode: 'VIP' }]);

    // Writing status through the main resource is ignored by the API server: only the subresource counts.
    const main: V1Service = { ...after, status: { loadBalancer: { ingress: [{ ip: '198.51.100.99' }] } } };
    await core.replaceNamespacedService({ name: 'web', namespace: NS, body: main });
    const still = await core.readNamespacedService({ name: 'web', namespace: NS });
    expect(still.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(['192.0.2.10']);
  });

  it('allocates dual-stack ClusterIPs from the default IPv4 + IPv6 service ranges', async () => {
    const [svc] = await cluster.apply(`
apiVersion: v1
kind: Service
metadata: { name: web-dual, namespace: ${NS} }
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  ports: [{ port: 443, protocol: TCP }]
`);
    const clusterIPs = (svc as V1Service).spec?.clusterIPs ?? [];
    expect(clusterIPs).toHaveLength(2);
    expect(clusterIPs[0]).toMatch(/^10\.96\./);
    expect(clusterIPs[1]).toMatch(/^fd00:10:96::/);
    await core.deleteNamespacedService({ name: 'web-dual', namespace: NS });
  });

  it('re-applies (replace) and applies a CRD plus an instance of it in one YAML', async () => {
    const again = await cluster.apply(SERVICE_YAML.replace('port: 80', 'port: 81'));
    expect(again).toHaveLength(2);
    const svc = await core.readNamespacedService({ name: 'web', namespace: NS });
    expect(svc.spec?.ports?.[0]?.port).toBe(81);

    await cluster.apply(CRD_YAML);
    const widget = (await cluster.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'harness.ferrolb.test',
      version: 'v1',
      namespace: NS,
      plural: 'widgets',
      name: 'pool-a',
    })) as { spec?: { addresses?: string[] } };
    expect(widget.spec?.addresses).toEqual(['192.0.2.0/28', '2001:db8::/120']);
  });

  it('gives a ServiceAccount its own token: RBAC permits what its Role grants and forbids the rest (403)', async () => {
    await cluster.apply(RBAC_YAML);
    const saPath = await cluster.serviceAccountKubeconfig(NS, 'reader');
    const sa = loadKubeconfig(saPath);
    const saCore = sa.makeApiClient(CoreV1Api);

    const review = await sa.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${NS}:reader`);

    // The RBAC authorizer learns of new bindings through its informers: wait (bounded) until it does.
    const list = await waitFor(async () => saCore.listNamespacedService({ namespace: NS }), {
      what: 'the reader RoleBinding to take effect',
      timeoutMs: 30_000,
    });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['web']);

    expect(
      await rejectionStatus(
        saCore.createNamespacedService({
          namespace: NS,
          body: { metadata: { name: 'not-allowed' }, spec: { ports: [{ port: 1 }] } },
        }),
      ),
    ).toBe(403);
    expect(
      await rejectionStatus(
        saCore.patchNamespacedServiceStatus(
          { name: 'web', namespace: NS, body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } } } },
          mergePatch,
        ),
      ),
    ).toBe(403);
    expect(await rejectionStatus(saCore.listNamespacedService({ namespace: 'kube-system' }))).toBe(403);
  });

  it('restarts kube-apiserver on the same address, keeping etcd data and ServiceAccount tokens valid', async () => {
    const saCore = loadKubeconfig(await cluster.serviceAccountKubeconfig(NS, 'reader')).makeApiClient(CoreV1Api);
    await cluster.stopApiServer();
    await expect(core.readNamespacedService({ name: 'web', namespace: NS })).rejects.toThrow();

    await cluster.startApiServer();
    const svc = await core.readNamespacedServiceStatus({ name: 'web', namespace: NS });
    expect(svc.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(['192.0.2.10']);
    const list = await waitFor(async () => saCore.listNamespacedService({ namespace: NS }), {
      what: 'the ServiceAccount to be authorized again after the restart',
      timeoutMs: 30_000,
    });
    expect(list.items).toHaveLength(1);
  }, 300_000);

  it('survives a kube-apiserver crash (SIGKILL) and serves again after startApiServer', async () => {
    const before = cluster.processIds().kubeApiserver;
    await cluster.stopApiServer({ kill: true });
    expect(cluster.processIds().kubeApiserver).toBeUndefined();
    await expect(cluster.startApiServer()).resolves.toBeUndefined();
    expect(cluster.processIds().kubeApiserver).not.toBe(before);
    const svc = await core.readNamespacedService({ name: 'web', namespace: NS });
    expect(svc.spec?.ports?.[0]?.port).toBe(81);
    await expect(cluster.startApiServer()).rejects.toThrow(/still running/);
  }, 300_000);
});
