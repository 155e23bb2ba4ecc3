// The speaker half of the cluster-in-a-box: on a running lab API server, N node namespaces on a bridge
// (Node objects in the API server, a speaker process in each with its own ServiceAccount token, reaching
// the API server through Unix-socket forwarders), a BIRD router peering with every node and a client
// namespace. Used by `ferrolb lab`, the speaker integration tests and the failover benchmark.
import { request } from 'node:http';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { BirdRouter, NODE_ASN, ROUTER_ASN } from './bird-router.ts';
import { forward } from './forward.ts';
import { speakerNodeOptions, startSpeakerChild, type SpeakerChild } from './speaker-child.ts';
import { ROUTER_IP, SpeakerNet, removeLeftoverNamespaces, type NetNode } from './speaker-net.ts';

export const SPEAKER_NAMESPACE = 'ferrolb-system';
export const LAB_METRICS_PORT = 7473;
export { SPEAKER_NODE_OPTIONS, speakerNodeOptions } from './speaker-child.ts';

/** What the speaker lab needs of the lab's API server (the harness Cluster has all of it). */
export interface LabApi {
  readonly server: string;
  readonly dir: string;
  readonly kubeConfig: KubeConfig;
  apply(yamlText: string): Promise<unknown>;
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
}

/** The lab's configuration: a Layer 2 pool on the nodes' segment and a BGP pool announced to BIRD. */
export const LAB_SPEAKER_CONFIG = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: ferrolb-system}
spec: {addresses: [192.0.2.200-192.0.2.250]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ferrolb-system}
spec: {ipAddressPools: [lan]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: wan, namespace: ferrolb-system}
spec: {addresses: [203.0.113.1-203.0.113.62]}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: wan, namespace: ferrolb-system}
spec: {ipAddressPools: [wan]}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: router, namespace: ferrolb-system}
spec: {peerAddress: ${ROUTER_IP}, peerASN: ${ROUTER_ASN}, myASN: ${NODE_ASN}, holdTime: 9s}
`;

export function getUnix(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

export async function createNodeObject(
  core: CoreV1Api,
  name: string,
  address: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } } });
  const node = await core.readNode({ name });
  node.status = { addresses: [{ type: 'InternalIP', address }], conditions: [{ type: 'Ready', status: 'True' }] };
  await core.replaceNodeStatus({ name, body: node });
}

/**
 * The speaker Pod object of `node`, Running and Ready or not, as the DaemonSet and kubelet would make it
 * (the lab has no kubelet): the owner of the node's status objects and, with --membership pods, its
 * liveness.
 */
export async function setSpeakerPod(core: CoreV1Api, node: string, ip: string, ready: boolean): Promise<string> {
  const name = `speaker-${node}`;
  const namespace = SPEAKER_NAMESPACE;
  let pod;
  try {
    pod = await core.readNamespacedPod({ name, namespace });
  } catch {
    pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { 'app.kubernetes.io/name': 'ferrolb', 'app.kubernetes.io/component': 'speaker' } },
        spec: {
          nodeName: node,
          serviceAccountName: 'speaker',
          automountServiceAccountToken: false,
          containers: [{ name: 'speaker', image: 'ferrolb:0.1.0' }],
        },
      },
    });
  }
  pod.status = {
    phase: 'Running',
    podIP: ip,
    hostIP: ip,
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  };
  await core.replaceNamespacedPodStatus({ name, namespace, body: pod });
  return name;
}

async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  abort: () => string | undefined,
  diag: () => string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const why = abort();
    if (why !== undefined) throw new Error(`${what}: ${why}\n${diag()}`);
    if (await probe()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${diag()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SpeakerLabOptions {
  nodes: number;
  /** Name prefix of namespaces (and the temp dir). */
  prefix: string;
  speakerArgs?: string[];
  /** Apply LAB_SPEAKER_CONFIG (default true). */
  config?: boolean;
}

export class SpeakerLab {
  readonly net: SpeakerNet;
  readonly bird: BirdRouter;
  readonly core: CoreV1Api;
  readonly speakers = new Map<string, SpeakerChild>();
  readonly #api: LabApi;
  readonly #kubeconfig: string;
  readonly #hostForward: Server;
  readonly #args: string[];

  private constructor(
    api: LabApi,
    net: SpeakerNet,
    bird: BirdRouter,
    kubeconfig: string,
    hostForward: Server,
    args: string[],
  ) {
    this.#api = api;
    this.net = net;
    this.bird = bird;
    this.core = api.kubeConfig.makeApiClient(CoreV1Api);
    this.#kubeconfig = kubeconfig;
    this.#hostForward = hostForward;
    this.#args = args;
  }

  static async start(api: LabApi, o: SpeakerLabOptions): Promise<SpeakerLab> {
    removeLeftoverNamespaces(o.prefix);
    const net = SpeakerNet.create(o.prefix, o.nodes);
    let hostForward: Server | undefined;
    try {
      const apiPort = Number(new URL(api.server).port);
      const apiSock = join(net.dir, 'api.sock');
      hostForward = await forward({ kind: 'unix', path: apiSock }, { kind: 'tcp', host: '127.0.0.1', port: apiPort });
      const core = api.kubeConfig.makeApiClient(CoreV1Api);
      for (const node of net.nodes) {
        await net.forwardInto(node.ns, apiPort, apiSock);
        await net.forwardOut(node.ns, join(net.dir, `metrics-${node.name}.sock`), LAB_METRICS_PORT);
        await createNodeObject(core, node.name, node.ip);
        await setSpeakerPod(core, node.name, node.ip, true);
      }
      if (o.config !== false) await api.apply(LAB_SPEAKER_CONFIG);
      const bird = BirdRouter.start(net, ROUTER_IP);
      const kubeconfig = await api.serviceAccountKubeconfig(SPEAKER_NAMESPACE, 'speaker');
      return new SpeakerLab(api, net, bird, kubeconfig, hostForward, o.speakerArgs ?? []);
    } catch (err) {
      hostForward?.close();
      net.destroy();
      throw err;
    }
  }

  metricsSocket(node: NetNode): string {
    return join(this.net.dir, `metrics-${node.name}.sock`);
  }

  async get(node: NetNode, path: string): Promise<{ status: number; body: string }> {
    return getUnix(this.metricsSocket(node), path);
  }

  diagnostics(): string {
    return (
      [...this.speakers.values()].map((s) => `--- speaker ${s.nodeName} ---\n${s.logTail(25)}`).join('\n') +
      `\n--- bird ---\n${this.bird.birdc('show protocols')}`
    );
  }

  /** Starts (or restarts) the speaker of `node`; resolves when its /readyz answers 200. */
  async startSpeaker(node: NetNode, extraArgs: string[] = []): Promise<SpeakerChild> {
    const s = startSpeakerChild({
      nodeName: node.name,
      netns: node.ns,
      kubeconfig: this.#kubeconfig,
      logPath: join(this.#api.dir, `speaker-${node.name}.log`),
      metricsPort: LAB_METRICS_PORT,
      extraArgs: ['--pod-name', `speaker-${node.name}`, ...this.#args, ...extraArgs],
      env: { NODE_OPTIONS: speakerNodeOptions() },
    });
    this.speakers.set(node.name, s);
    await until(
      `speaker ${node.name} /readyz`,
      async () => (await this.get(node, '/readyz')).status === 200,
      60_000,
      () => s.exited(),
      () => this.diagnostics(),
    );
    return s;
  }

  async stop(): Promise<void> {
    for (const s of this.speakers.values()) s.kill('SIGKILL');
    await Promise.all([...this.speakers.values()].map((s) => s.waitExit()));
    this.#hostForward.close();
    this.net.destroy();
  }
}
