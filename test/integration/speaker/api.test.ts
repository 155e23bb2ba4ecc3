// The speaker against a real API server, under its own ServiceAccount token and manifests/06 RBAC:
// the RBAC is exactly what it calls; it reads Services, EndpointSlices, Nodes, the configuration,
// Secrets and its Pods; writes one ServiceL2Status per Layer 2 Service (the owner's) and one
// ServiceBGPStatus per announcing node, owned by its Pod; records nodeAssigned; moves the Layer 2 owner
// when the owner's speaker is no longer alive; removes its objects on SIGTERM. The controller creates
// the memberlist Secret, and the speakers follow a rotation of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantedTriples, subjectAccess } from '../../helpers/rbac.ts';
import { statusCommand } from '../../../src/cli/status.ts';
import { startSpeakerChild, type SpeakerChild } from '../../../src/lab/speaker-child.ts';
import {
  freeLoopbackPort,
  httpGet,
  metricValue,
  startControllerChild,
  waitFor,
  type ControllerChild,
} from '../../../src/lab/index.ts';
import {
  NS,
  createLbService,
  createNode,
  logPath,
  setSpeakerPod,
  setupSpeakerEnv,
  statusObjects,
  waitStatusNodes,
  type SpeakerEnv,
} from './fixture.ts';

const SA = 'system:serviceaccount:ferrolb-system:speaker';
const METALLB = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles', 'communities'];

const NEEDED: Record<'ClusterRole' | 'Role', Record<string, string>> = {
  ClusterRole: {
    '|services|list': 'services informer',
    '|services|watch': 'services informer',
    '|nodes|list': 'nodes informer',
    '|nodes|watch': 'nodes informer',
    'discovery.k8s.io|endpointslices|list': 'endpointslices informer',
    'discovery.k8s.io|endpointslices|watch': 'endpointslices informer',
    '|events|create': 'nodeAssigned / IPConflict Events',
    '|events|patch': 'Event aggregation',
  },
  Role: {
    '|configmaps|list': 'ConfigMap informer (field selector)',
    '|configmaps|watch': 'ConfigMap informer',
    '|secrets|list': 'Secrets informer (memberlist key, BGP passwords)',
    '|secrets|watch': 'Secrets informer',
    '|pods|list': 'speaker Pods informer (join addresses, pod membership, owner)',
    '|pods|watch': 'speaker Pods informer',
    ...Object.fromEntries(
      METALLB.flatMap((r) => ['list', 'watch'].map((v) => [`metallb.io|${r}|${v}`, `${r} informer`])),
    ),
    ...Object.fromEntries(
      ['servicel2statuses', 'servicebgpstatuses'].flatMap((r) => [
        [`metallb.io|${r}|list`, "status writer: this node's objects at start"],
        [`metallb.io|${r}|create`, 'status writer: create'],
        [`metallb.io|${r}|delete`, 'status writer: delete'],
        [`metallb.io|${r}/status|update`, 'status writer: status subresource'],
      ]),
    ),
  },
};

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: {name: config, namespace: ferrolb-system}
data:
  config: |
    address-pools:
    - name: lan
      protocol: layer2
      addresses: [192.0.2.0/28]
    - name: wan
      protocol: bgp
      addresses: [198.51.100.0/28]
`;

let env: SpeakerEnv;
const speakers = new Map<string, SpeakerChild>();
const ports = new Map<string, number>();
let controller: ControllerChild | undefined;

const diagnostics = (): string =>
  [...speakers.values()].map((s) => `--- speaker ${s.nodeName} ---\n${s.logTail(30)}`).join('\n') +
  `\n${env.cluster.logTails(10)}`;

async function startSpeaker(node: string): Promise<SpeakerChild> {
  const port = ports.get(node) ?? (await freeLoopbackPort());
  ports.set(node, port);
  const s = startSpeakerChild({
    nodeName: node,
    kubeconfig: env.speakerKubeconfig,
    logPath: logPath(env, node),
    metricsPort: port,
    extraArgs: ['--membership', 'pods', '--disable-layer2', '--pod-name', `speaker-${node}`, '--log-level', 'debug'],
  });
  speakers.set(node, s);
  await waitFor(async () => (await httpGet(port, '/readyz')).status === 200, {
    what: `speaker ${node} /readyz`,
    timeoutMs: 60_000,
    abort: () => s.exited(),
    diagnostics,
  });
  return s;
}

beforeAll(async () => {
  env = await setupSpeakerEnv();
  await env.cluster.apply(CONFIG);
  await env.core.createNamespace({ body: { metadata: { name: 'shop' } } });
  for (const [i, n] of ['n1', 'n2'].entries()) {
    await createNode(env, n, `192.0.2.${101 + i}`);
    await setSpeakerPod(env, n, `192.0.2.${101 + i}`, true);
  }
  await createLbService(env, 'shop', 'web', '192.0.2.1', ['n1']);
  await createLbService(env, 'shop', 'api', '198.51.100.1', ['n2']);
});

afterAll(async () => {
  for (const s of speakers.values()) s.kill('SIGKILL');
  controller?.kill('SIGKILL');
  await Promise.all([...speakers.values()].map((s) => s.waitExit()));
  await controller?.waitExit();
  await env?.stop();
});

describe('speaker RBAC', () => {
  it('grants exactly the needed group/resource/verb triples, no wildcards, no resourceNames', () => {
    for (const kind of ['ClusterRole', 'Role'] as const)
      expect(grantedTriples('06-speaker-rbac.yaml', kind)).toEqual(Object.keys(NEEDED[kind]).sort());
  });

  it('the real authorizer denies what the speaker must not do', async () => {
    const can = subjectAccess(env.cluster.kubeConfig, SA, ['system:serviceaccounts', 'system:authenticated']);
    const denied: [string, string, string, string?, string?][] = [
      ['update', 'services', 'shop', '', 'status'],
      ['patch', 'services', 'shop'],
      ['list', 'secrets', 'shop'],
      ['get', 'secrets', ''],
      ['create', 'secrets', NS],
      ['update', 'nodes', ''],
      ['list', 'pods', 'shop'],
      ['delete', 'pods', NS],
      ['update', 'ipaddresspools', NS, 'metallb.io'],
      ['create', 'servicel2statuses', 'shop', 'metallb.io'],
      ['update', 'configmaps', NS],
    ];
    const wrong: string[] = [];
    for (const [verb, res, ns, group, sub] of denied)
      if (await can(verb, res, ns, group, sub))
        wrong.push(`should deny ${verb} ${group}/${res}${sub ? `/${sub}` : ''} in "${ns}"`);
    expect(wrong).toEqual([]);
  });
});

describe('speaker against the API server, with its own token', () => {
  it('the controller creates the memberlist Secret; the speakers read its key', async () => {
    controller = startControllerChild({
      kubeconfig: await env.cluster.serviceAccountKubeconfig(NS, 'controller'),
      metricsPort: await freeLoopbackPort(),
      logPath: join(env.cluster.dir, 'controller.log'),
    });
    const secret = await waitFor(
      async () => env.core.readNamespacedSecret({ name: 'memberlist', namespace: NS }).catch(() => undefined),
      {
        what: 'memberlist Secret created by the controller',
        timeoutMs: 60_000,
        diagnostics: () => controller?.logTail() ?? '',
      },
    );
    expect(Buffer.from(secret.data?.secretkey ?? '', 'base64')).toHaveLength(128);
    for (const n of ['n1', 'n2']) await startSpeaker(n);
    for (const s of speakers.values()) {
      await waitFor(() => /"step":"initial".*memberlist keyring/.test(readFileSync(s.logPath, 'utf8')), {
        what: `${s.nodeName} keyring`,
        timeoutMs: 30_000,
        diagnostics,
      });
    }
  });

  it('one ServiceL2Status from the owner, one ServiceBGPStatus per node, owned by the speaker Pod; nodeAssigned recorded', async () => {
    const [l2] = await waitFor(
      async () => {
        const items = await statusObjects(env, 'l2', 'web');
        return items.length === 1 && items[0]?.status?.node !== undefined && items;
      },
      { what: 'one ServiceL2Status for shop/web', timeoutMs: 60_000, diagnostics },
    );
    const owner = l2!.status!.node as string;
    expect(l2!.metadata.name).toMatch(/^l2-/);
    expect(l2!.metadata.labels).toMatchObject({
      'metallb.io/node': owner,
      'metallb.io/service-name': 'web',
      'metallb.io/service-namespace': 'shop',
    });
    const pod = await env.core.readNamespacedPod({ name: `speaker-${owner}`, namespace: NS });
    expect(l2!.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Pod', name: `speaker-${owner}`, uid: pod.metadata?.uid }),
    ]);
    expect(l2!.status).toEqual({ node: owner, serviceName: 'web', serviceNamespace: 'shop', interfaces: [] });

    const bgp = await waitStatusNodes(env, 'bgp', 'api', ['n1', 'n2'], diagnostics);
    expect(bgp.every((b) => b.metadata.name.startsWith('bgp-') && Array.isArray(b.status?.peers))).toBe(true);

    const ev = await waitFor(
      async () =>
        (
          await env.core.listNamespacedEvent({ namespace: 'shop', fieldSelector: 'involvedObject.name=web' })
        ).items.find((e) => e.reason === 'nodeAssigned'),
      { what: 'nodeAssigned Event on shop/web', timeoutMs: 30_000, diagnostics },
    );
    expect(ev.message).toBe(`announcing from node "${owner}" with protocol "layer2"`);
    expect(ev.source?.component).toBe('ferrolb-speaker');

    // `ferrolb status` reads the same from the cluster.
    const out: string[] = [];
    const code = await statusCommand(['--kubeconfig', env.cluster.kubeconfigPath, '-o', 'json'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    expect(code).toBe(0);
    const rows = JSON.parse(out.join('')) as {
      service: string;
      mode: string;
      layer2: { node: string }[];
      bgp: { node: string }[];
    }[];
    expect(rows.find((r) => r.service === 'shop/web')).toMatchObject({ mode: 'layer2', layer2: [{ node: owner }] });
    expect(rows.find((r) => r.service === 'shop/api')).toMatchObject({
      mode: 'bgp',
      bgp: [{ node: 'n1' }, { node: 'n2' }],
    });

    const text = (await httpGet(ports.get(owner) as number, '/metrics')).body;
    expect(
      metricValue(text, 'metallb_speaker_announced', {
        ip: '192.0.2.1',
        node: owner,
        protocol: 'layer2',
        service: 'shop/web',
      }),
    ).toBe(1);
  });

  it('the owner no longer alive (its speaker Pod not Ready): the other node takes over and the objects follow', async () => {
    const owner = (await statusObjects(env, 'l2', 'web'))[0]!.status!.node as string;
    const other = owner === 'n1' ? 'n2' : 'n1';
    await setSpeakerPod(env, owner, owner === 'n1' ? '192.0.2.101' : '192.0.2.102', false);
    await waitStatusNodes(env, 'l2', 'web', [other], diagnostics);
    await setSpeakerPod(env, owner, owner === 'n1' ? '192.0.2.101' : '192.0.2.102', true);
    await waitStatusNodes(env, 'l2', 'web', [owner], diagnostics);
  });

  it('a rotated memberlist Secret is first accepted, then used', async () => {
    const secret = await env.core.readNamespacedSecret({ name: 'memberlist', namespace: NS });
    secret.data = { secretkey: Buffer.from('rotated').toString('base64') };
    await env.core.replaceNamespacedSecret({ name: 'memberlist', namespace: NS, body: secret });
    for (const s of speakers.values()) {
      await waitFor(() => /"step":"accept-new","keys":2.*memberlist keyring/.test(readFileSync(s.logPath, 'utf8')), {
        what: `${s.nodeName} accepts the new key`,
        timeoutMs: 30_000,
        diagnostics,
      });
    }
  });

  it('SIGTERM: the speaker exits 0 and removes its status objects; the other node takes over', async () => {
    const owner = (await statusObjects(env, 'l2', 'web'))[0]!.status!.node as string;
    const other = owner === 'n1' ? 'n2' : 'n1';
    const s = speakers.get(owner)!;
    s.kill('SIGTERM');
    expect(await s.waitExit()).toBe('exited with code 0');
    await setSpeakerPod(env, owner, owner === 'n1' ? '192.0.2.101' : '192.0.2.102', false);
    await waitStatusNodes(env, 'bgp', 'api', [other], diagnostics);
    await waitStatusNodes(env, 'l2', 'web', [other], diagnostics);
  });
});
