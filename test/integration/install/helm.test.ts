// charts/ferrolb rendered with the pinned helm (scripts/helm.sh) — the objects, the values MetalLB's chart
// users set, agreement with manifests/ — and installed into a real kube-apiserver, where the controller,
// running under the chart's ServiceAccount and RBAC, gives a Service an IP.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubernetesObject,
  type V1DaemonSet,
  type V1Deployment,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  freeLoopbackPort,
  httpGet,
  MANIFESTS,
  startCluster,
  startControllerChild,
  waitFor,
  type Cluster,
  type ControllerChild,
} from '../../../src/lab/index.ts';
import { exec } from '../../../src/lab/container-engine.ts';
import { startSpeakerChild, type SpeakerChild } from '../../../src/lab/speaker-child.ts';
import { createNodeObject } from '../../../src/lab/speaker-lab.ts';
import { ingressOf, lbService } from '../controller/fixture.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHART = join(ROOT, 'charts/ferrolb');
const NS = 'ferrolb-system';

type Obj = KubernetesObject & Record<string, unknown>;
let helm: string;

beforeAll(async () => {
  const r = await promisify(execFile)('bash', [join(ROOT, 'scripts/helm.sh'), '--check']).catch(
    (err: { stderr?: string }) => {
      throw new Error(`helm is not built (scripts/helm.sh --check): ${err.stderr ?? err}`);
    },
  );
  helm = r.stdout.trim().split('\n').at(-1)!;
});

/** `helm template ferrolb charts/ferrolb -n ferrolb-system --set …` → the objects; throws with helm's stderr. */
async function render(...sets: string[]): Promise<Obj[]> {
  const r = await exec([helm, 'template', 'ferrolb', CHART, '-n', NS, ...sets.flatMap((s) => ['--set', s])]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  const objs = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
  if (objs.length === 0) throw new Error(`helm template rendered nothing:\n${r.stdout}`);
  return objs;
}
async function renderError(...sets: string[]): Promise<string> {
  const r = await exec([helm, 'template', 'ferrolb', CHART, '-n', NS, ...sets.flatMap((s) => ['--set', s])]);
  expect(r.code).not.toBe(0);
  return r.stderr;
}
const kinds = (objs: Obj[]): string[] => objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
function one<T = Obj>(objs: Obj[], kind: string, name?: string): T {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind}${name ? ` ${name}` : ''}, found ${kinds(found).join(', ') || 'none'} in ${kinds(objs).join(', ')}`,
    );
  return found[0] as T;
}
const byName = (a: Obj, b: Obj): number => a.metadata!.name!.localeCompare(b.metadata!.name!);
/** The CRDs of manifests/01-crd-*.yaml, by name. */
const manifestCrds = (): Obj[] =>
  readdirSync(MANIFESTS)
    .filter((f) => /^01-crd-.*\.yaml$/.test(f))
    .flatMap((f) => manifest(f))
    .sort(byName);
const manifest = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(join(MANIFESTS, file), 'utf8'))
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);

describe('helm template', () => {
  test('defaults: the CRDs, the controller and the speaker with their ServiceAccounts and least-privilege RBAC', async () => {
    const objs = await render();
    expect(kinds(objs)).toEqual([
      'ClusterRole/ferrolb:controller',
      'ClusterRole/ferrolb:speaker',
      'ClusterRoleBinding/ferrolb:controller',
      'ClusterRoleBinding/ferrolb:speaker',
      ...manifestCrds().map((c) => `CustomResourceDefinition/${c.metadata!.name}`),
      'DaemonSet/ferrolb-speaker',
      'Deployment/ferrolb-controller',
      'Role/ferrolb:controller',
      'Role/ferrolb:speaker',
      'RoleBinding/ferrolb:controller',
      'RoleBinding/ferrolb:speaker',
      'Secret/memberlist',
      'ServiceAccount/ferrolb-controller',
      'ServiceAccount/ferrolb-speaker',
    ]);
    for (const o of objs)
      if (o.kind !== 'CustomResourceDefinition' && !o.kind!.startsWith('Cluster'))
        expect(o.metadata?.namespace).toBe(NS);
    const d = one<V1Deployment>(objs, 'Deployment');
    const c = d.spec!.template.spec!.containers[0]!;
    expect(c.image).toBe('ferrolb:0.1.0');
    expect(c.command).toEqual(['node', 'controller/main.ts']);
    expect(c.args).toEqual([
      '--config-namespace=$(POD_NAMESPACE)',
      '--config-name=config',
      '--metrics-port=7472',
      '--log-level=info',
      '--leader-elect=true',
      '--leader-elect-resource-name=ferrolb-controller',
      '--leader-elect-resource-namespace=$(POD_NAMESPACE)',
      '--leader-elect-lease-duration=15s',
      '--leader-elect-renew-deadline=10s',
      '--leader-elect-retry-period=2s',
    ]);
    // The same election flags as manifests/04-controller-deployment.yaml.
    const m = one<V1Deployment>(manifest('04-controller-deployment.yaml'), 'Deployment').spec!.template.spec!
      .containers[0]!;
    expect(c.args!.filter((a) => a.startsWith('--leader-elect'))).toEqual(
      m.args!.filter((a) => a.startsWith('--leader-elect')),
    );
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(d.spec!.template.spec!.securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true });
    expect(d.spec!.replicas).toBe(2);
    expect(d.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
  });

  test('the same CRDs and controller RBAC rules as manifests/ (kubectl apply -f manifests/)', async () => {
    const objs = await render();
    const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition').sort(byName);
    expect(crds.length).toBeGreaterThanOrEqual(6);
    expect(crds).toEqual(manifestCrds());
    const rbac = manifest('03-controller-rbac.yaml');
    for (const kind of ['ClusterRole', 'Role'])
      expect(one(objs, kind, 'ferrolb:controller').rules).toEqual(one(rbac, kind).rules);
  });

  test('the values MetalLB chart users set: image, resources, scheduling, log level, class, extra args', async () => {
    const objs = await render(
      'controller.image.repository=registry.example.com/ferrolb',
      'controller.image.tag=1.2.3',
      'controller.image.pullPolicy=Always',
      'controller.resources.limits.memory=200Mi',
      'controller.tolerations[0].key=dedicated',
      'controller.tolerations[0].operator=Exists',
      'controller.nodeSelector.zone=a',
      'controller.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=lb',
      'controller.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists',
      'controller.logLevel=all',
      'loadBalancerClass=example.com/ferrolb',
      'controller.priorityClassName=system-cluster-critical',
      'imagePullSecrets[0].name=regcred',
      'prometheus.scrapeAnnotations=true',
      'controller.livenessProbe.enabled=false',
    );
    const pod = one<V1Deployment>(objs, 'Deployment').spec!.template;
    const c = pod.spec!.containers[0]!;
    expect(c.image).toBe('registry.example.com/ferrolb:1.2.3');
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '200Mi' } });
    expect(c.args).toContain('--log-level=trace');
    expect(c.args).toContain('--lb-class=example.com/ferrolb');
    expect(c.livenessProbe).toBeUndefined();
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(pod.spec!.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    expect(pod.spec!.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', zone: 'a' });
    expect(
      pod.spec!.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]
        ?.matchExpressions?.[0]?.key,
    ).toBe('lb');
    expect(pod.spec!.priorityClassName).toBe('system-cluster-critical');
    expect(pod.spec!.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.metadata!.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '7472' });
  });

  test('a log level FerroLB does not know is refused, naming it', async () => {
    expect(await renderError('controller.logLevel=chatty')).toMatch(
      /logLevel "chatty": expected trace, debug, info, warn, error or fatal/,
    );
  });

  test("the speaker's DaemonSet, ServiceAccount and RBAC are manifests/05-07's, field by field (only names and labels differ)", async () => {
    const objs = await render();
    const sa = one(objs, 'ServiceAccount', 'ferrolb-speaker');
    const msa = one(manifest('05-speaker-serviceaccount.yaml'), 'ServiceAccount');
    expect(sa.metadata?.labels).toMatchObject(msa.metadata!.labels!);
    expect(sa.metadata?.namespace).toBe(msa.metadata?.namespace);

    const rbac = manifest('06-speaker-rbac.yaml');
    for (const kind of ['ClusterRole', 'Role']) {
      expect(one(objs, kind, 'ferrolb:speaker').rules).toEqual(one(rbac, kind).rules);
      const binding = one(objs, `${kind}Binding`, 'ferrolb:speaker') as Obj & { roleRef: object; subjects: object };
      const mbinding = one(rbac, `${kind}Binding`) as Obj & { roleRef: object; subjects: object };
      expect(binding.roleRef).toEqual({ ...mbinding.roleRef, name: 'ferrolb:speaker' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'ferrolb-speaker', namespace: NS }]);
      expect(mbinding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'speaker', namespace: NS }]);
    }

    const ds = one<V1DaemonSet>(objs, 'DaemonSet', 'ferrolb-speaker');
    const mds = one<V1DaemonSet>(manifest('07-speaker-daemonset.yaml'), 'DaemonSet');
    // The release's names and labels: the chart's ServiceAccount name, its selector labels (a superset of
    // the manifest's, which the speaker's default --speaker-selector matches).
    expect(ds.spec!.template.spec!.serviceAccountName).toBe('ferrolb-speaker');
    expect(mds.spec!.template.spec!.serviceAccountName).toBe('speaker');
    expect(ds.spec!.selector.matchLabels).toMatchObject(mds.spec!.selector.matchLabels!);
    expect(ds.spec!.template.metadata!.labels).toMatchObject(mds.spec!.template.metadata!.labels!);
    // Everything else, as kubectl apply -f manifests/ would run it.
    expect({ ...ds.spec!.template.spec!, serviceAccountName: 'speaker' }).toEqual(mds.spec!.template.spec);
    expect(ds.spec!.updateStrategy).toEqual(mds.spec!.updateStrategy);
    expect(ds.metadata?.namespace).toBe(mds.metadata?.namespace);
    // The manifest's scrape annotations are the chart's prometheus.scrapeAnnotations (off by default, as
    // in MetalLB's chart).
    expect(ds.spec!.template.metadata!.annotations).toBeUndefined();
    const annotated = one<V1DaemonSet>(await render('prometheus.scrapeAnnotations=true'), 'DaemonSet');
    expect(annotated.spec!.template.metadata!.annotations).toEqual(mds.spec!.template.metadata!.annotations);
  });

  test('speaker values: log level, tolerations, nodeSelector, resources, extra capabilities, image, metrics port', async () => {
    const objs = await render(
      'speaker.logLevel=debug',
      'speaker.tolerations[0].key=edge',
      'speaker.tolerations[0].operator=Exists',
      'speaker.nodeSelector.zone=a',
      'speaker.resources.limits.memory=256Mi',
      'speaker.extraCapabilities[0]=NET_BIND_SERVICE',
      'speaker.image.repository=registry.example.com/ferrolb',
      'speaker.image.tag=1.2.3',
      'speaker.metricsPort=9473',
      'speaker.extraArgs[0]=--bgp-listen-port=179',
      'loadBalancerClass=example.com/ferrolb',
    );
    const spec = one<V1DaemonSet>(objs, 'DaemonSet').spec!.template.spec!;
    const c = spec.containers[0]!;
    expect(c.image).toBe('registry.example.com/ferrolb:1.2.3');
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--log-level=debug',
        '--metrics-port=9473',
        '--lb-class=example.com/ferrolb',
        '--bgp-listen-port=179',
      ]),
    );
    expect(c.ports?.find((p) => p.name === 'monitoring')?.containerPort).toBe(9473);
    expect(c.securityContext?.capabilities).toEqual({
      drop: ['ALL'],
      add: ['NET_RAW', 'NET_ADMIN', 'NET_BIND_SERVICE'],
    });
    expect(c.securityContext?.runAsUser).toBe(0);
    expect(c.resources?.limits).toEqual({ memory: '256Mi' });
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', zone: 'a' });
    expect(spec.tolerations?.map((t) => t.key)).toEqual([
      'node-role.kubernetes.io/control-plane',
      'node-role.kubernetes.io/master',
      'edge',
    ]);
    const key = Buffer.from(String((one(objs, 'Secret') as { data: { secretkey: string } }).data.secretkey), 'base64');
    expect(key.length).toBe(128);
  });

  test('memberlist: bring your own Secret by name, the fast profile, or no gossip at all (membership from speaker Pods)', async () => {
    const own = await render('speaker.memberlist.secretName=my-key', 'speaker.memberlist.createSecret=false');
    expect(own.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(one<V1DaemonSet>(own, 'DaemonSet').spec!.template.spec!.containers[0]!.args).toContain(
      '--memberlist-secret=my-key',
    );
    const fast = await render('speaker.memberlist.profile=fast');
    expect(one<V1DaemonSet>(fast, 'DaemonSet').spec!.template.spec!.containers[0]!.args).toContain(
      '--memberlist-profile=fast',
    );
    await expect(render('speaker.memberlist.profile=turbo')).rejects.toThrow(
      /speaker.memberlist.profile: "turbo" is not default or fast/,
    );
    const none = await render('speaker.memberlist.enabled=false');
    expect(none.filter((o) => o.kind === 'Secret')).toEqual([]);
    const c = one<V1DaemonSet>(none, 'DaemonSet').spec!.template.spec!.containers[0]!;
    expect(c.args).toContain('--membership=pods');
    expect(c.args!.filter((a) => a.startsWith('--memberlist'))).toEqual([]);
    expect(c.ports!.map((p) => p.name)).toEqual(['monitoring']);
  });

  test('speaker.enabled=false leaves the speaker out', async () => {
    const objs = await render('speaker.enabled=false');
    expect(kinds(objs).filter((k) => /speaker|memberlist/.test(k))).toEqual([]);
  });

  test('Prometheus Operator toggles: PodMonitors, ServiceMonitors with their Services, and the Prometheus Role', async () => {
    expect(
      kinds(await render('prometheus.podMonitor.enabled=true', 'prometheus.podMonitor.interval=30s')).filter((k) =>
        /Monitor|Service\//.test(k),
      ),
    ).toEqual(['PodMonitor/ferrolb-controller', 'PodMonitor/ferrolb-speaker']);
    const sm = await render(
      'prometheus.serviceMonitor.enabled=true',
      'prometheus.serviceMonitor.controller.additionalLabels.release=prom',
      'prometheus.rbacPrometheus=true',
      'prometheus.serviceAccount=prometheus-k8s',
      'prometheus.namespace=monitoring',
    );
    expect(kinds(sm).filter((k) => /Monitor|Service\/|prometheus/.test(k))).toEqual([
      'Role/ferrolb-prometheus',
      'RoleBinding/ferrolb-prometheus',
      'Service/ferrolb-controller-monitor-service',
      'Service/ferrolb-speaker-monitor-service',
      'ServiceMonitor/ferrolb-controller-monitor',
      'ServiceMonitor/ferrolb-speaker-monitor',
    ]);
    expect(one(sm, 'ServiceMonitor', 'ferrolb-controller-monitor').metadata?.labels?.release).toBe('prom');
    const port = (name: string): unknown =>
      (one(sm, 'Service', name) as Obj & { spec: { ports: { port: number }[] } }).spec.ports[0]?.port;
    expect(port('ferrolb-controller-monitor-service')).toBe(7472);
    expect(port('ferrolb-speaker-monitor-service')).toBe(7473);
    expect(one(sm, 'RoleBinding', 'ferrolb-prometheus').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' },
    ]);
    expect(await renderError('prometheus.podMonitor.enabled=true', 'prometheus.rbacPrometheus=true')).toMatch(
      /needs prometheus.serviceAccount and prometheus.namespace/,
    );
  });

  test('crds.enabled=false and rbac.create=false leave them out', async () => {
    const objs = await render('crds.enabled=false', 'rbac.create=false');
    expect(kinds(objs)).toEqual([
      'DaemonSet/ferrolb-speaker',
      'Deployment/ferrolb-controller',
      'Secret/memberlist',
      'ServiceAccount/ferrolb-controller',
      'ServiceAccount/ferrolb-speaker',
    ]);
  });
});

describe('helm install into a real API server', () => {
  let cluster: Cluster;
  let controller: ControllerChild | undefined;
  let speaker: SpeakerChild | undefined;
  const helmArgs = (): string[] => ['--kubeconfig', cluster.kubeconfigPath, '-n', NS];

  beforeAll(async () => {
    cluster = await startCluster();
  }, 900_000);
  afterAll(async () => {
    for (const c of [controller, speaker])
      if (c && c.exited() === undefined) {
        c.kill('SIGKILL');
        await c.waitExit();
      }
    await cluster?.stop();
  });

  test('installs, upgrades keeping the memberlist key, runs the controller and a speaker under their RBAC, and uninstalls', async () => {
    const install = await exec(
      [helm, 'install', 'ferrolb', CHART, ...helmArgs(), '--create-namespace', '--set', 'speaker.enabled=true'],
      { timeoutMs: 300_000 },
    );
    expect(install.code, install.stderr).toBe(0);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    expect(
      (await apps.readNamespacedDeployment({ namespace: NS, name: 'ferrolb-controller' })).spec?.template.spec
        ?.serviceAccountName,
    ).toBe('ferrolb-controller');
    expect(
      (await apps.readNamespacedDaemonSet({ namespace: NS, name: 'ferrolb-speaker' })).spec?.template.spec?.hostNetwork,
    ).toBe(true);
    const key = async (): Promise<string> =>
      (await core.readNamespacedSecret({ namespace: NS, name: 'memberlist' })).data?.secretkey ?? '';
    const first = await key();
    expect(Buffer.from(first, 'base64').length).toBe(128);

    const upgrade = await exec(
      [
        helm,
        'upgrade',
        'ferrolb',
        CHART,
        ...helmArgs(),
        '--set',
        'speaker.enabled=true',
        '--set',
        'controller.logLevel=debug',
      ],
      { timeoutMs: 300_000 },
    );
    expect(upgrade.code, upgrade.stderr).toBe(0);
    expect(await key()).toBe(first);

    // The CRDs the chart installed are served: a metallb.io configuration is accepted.
    await cluster.apply(`apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: helm-pool, namespace: ${NS}}
spec: {addresses: [198.51.100.64/28]}
`);
    const sa = await cluster.serviceAccountKubeconfig(NS, 'ferrolb-controller');
    const port = await freeLoopbackPort();
    controller = startControllerChild({
      kubeconfig: sa,
      metricsPort: port,
      logPath: join(cluster.dir, 'controller.log'),
    });
    const child = controller;
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await core.createNamespacedService({ namespace: 'shop', body: lbService('shop', 'web') });
    const svc = await waitFor(
      async () => {
        const s = await core.readNamespacedService({ namespace: 'shop', name: 'web' });
        return ingressOf(s).length > 0 ? s : undefined;
      },
      {
        what: 'shop/web to get an IP from the controller under the chart RBAC',
        timeoutMs: 60_000,
        abort: () => child.exited(),
        diagnostics: () => child.logTail(),
      },
    );
    const ip = ingressOf(svc)[0]!;
    expect(ip).toMatch(/^198\.51\.100\.(6[4-9]|7[0-9])$/);
    expect(child.logTail(200)).not.toMatch(/forbidden/i);
    child.kill('SIGTERM');
    await child.waitExit();

    // A speaker under the chart's speaker ServiceAccount and RBAC (no packets: --disable-layer2, and
    // membership from its Pod, so no gossip port is bound on this host): it lists and watches what it
    // reads and writes this node's ServiceL2Status for the Service.
    await cluster.apply(`apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: helm-l2, namespace: ${NS}}
spec: {ipAddressPools: [helm-pool]}
`);
    await createNodeObject(core, 'node-1', '192.0.2.11');
    // The speaker Pod as the chart's DaemonSet and kubelet would make it (no kubelet runs here).
    const pod = 'ferrolb-speaker-node-1';
    const labels = { 'app.kubernetes.io/name': 'ferrolb', 'app.kubernetes.io/instance': 'ferrolb' };
    const made = await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: pod, labels: { ...labels, 'app.kubernetes.io/component': 'speaker' } },
        spec: {
          nodeName: 'node-1',
          serviceAccountName: 'ferrolb-speaker',
          automountServiceAccountToken: false,
          containers: [{ name: 'speaker', image: 'ferrolb:0.1.0' }],
        },
      },
    });
    made.status = {
      phase: 'Running',
      podIP: '192.0.2.11',
      hostIP: '192.0.2.11',
      conditions: [{ type: 'Ready', status: 'True' }],
    };
    await core.replaceNamespacedPodStatus({ name: pod, namespace: NS, body: made });
    await cluster.kubeConfig.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: 'shop',
      body: {
        metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.0.10'], nodeName: 'node-1', conditions: { ready: true } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    });
    const speakerPort = await freeLoopbackPort();
    speaker = startSpeakerChild({
      nodeName: 'node-1',
      kubeconfig: await cluster.serviceAccountKubeconfig(NS, 'ferrolb-speaker'),
      logPath: join(cluster.dir, 'speaker.log'),
      metricsPort: speakerPort,
      extraArgs: ['--membership', 'pods', '--disable-layer2', '--pod-name', pod, '--namespace', NS],
    });
    const sp = speaker;
    await waitFor(async () => (await httpGet(speakerPort, '/readyz')).status === 200, {
      what: 'the speaker under the chart RBAC to be ready',
      timeoutMs: 60_000,
      abort: () => sp.exited(),
      diagnostics: () => sp.logTail(),
    });
    const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    await waitFor(
      async () => {
        const list = (await custom.listNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: NS,
          plural: 'servicel2statuses',
        })) as { items: { status?: { node?: string; serviceName?: string } }[] };
        return list.items.some((i) => i.status?.node === 'node-1' && i.status.serviceName === 'web');
      },
      {
        what: `a ServiceL2Status for shop/web (${ip}) on node-1 written under the chart RBAC`,
        timeoutMs: 60_000,
        abort: () => sp.exited(),
        diagnostics: () => sp.logTail(),
      },
    );
    expect(sp.logTail(400)).not.toMatch(/forbidden/i);
    sp.kill('SIGTERM');
    expect(await sp.waitExit()).toBe('exited with code 0');

    const uninstall = await exec([helm, 'uninstall', 'ferrolb', ...helmArgs(), '--wait', '--timeout', '120s'], {
      timeoutMs: 300_000,
    });
    expect(uninstall.code, uninstall.stderr).toBe(0);
    await expect(apps.readNamespacedDeployment({ namespace: NS, name: 'ferrolb-controller' })).rejects.toThrow();
  });
});
