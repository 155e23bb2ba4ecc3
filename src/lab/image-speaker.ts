// The speaker from the image, run the way manifests/07-speaker-daemonset.yaml runs it (pod-run.ts turns
// the Pod template into engine options), on one "node": a network namespace on a bridge with a client
// namespace beside it (speaker-net.ts), the API server reached from inside at 127.0.0.1:<its port> with
// in-cluster credentials of the speaker's own ServiceAccount mounted where kubelet mounts them. Used by
// the image test and `npm run bench -- image`.
//
//   const rig = await ImageSpeakerRig.start(cluster, engine, 'localhost/ferrolb:0.1.0', 'fi61234');
//   const c = await rig.start(speakerPodTemplate(), 'speaker');    // a Container; rig.readyz() → status
//   rig.destroy();                                                 // containers, namespaces, files
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1DaemonSet, type V1PodSpec } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apiStatus } from './api-error.ts';
import { startContainer, type Container, type Engine } from './container-engine.ts';
import { forward } from './forward.ts';
import { MANIFESTS } from './manifests.ts';
import { podRunSpec } from './pod-run.ts';
import { serviceAccountToken } from './service-account.ts';
import { createNodeObject, getUnix, setSpeakerPod, SPEAKER_NAMESPACE } from './speaker-lab.ts';
import { removeLeftoverNamespaces, SpeakerNet, type NetNode } from './speaker-net.ts';

/** The speaker Pod template of manifests/07-speaker-daemonset.yaml (a fresh copy each call). */
export function speakerPodTemplate(): V1PodSpec {
  const docs = parseAllDocuments(readFileSync(join(MANIFESTS, '07-speaker-daemonset.yaml'), 'utf8')).map(
    (d) => d.toJS() as V1DaemonSet,
  );
  const spec = docs.find((d) => d.kind === 'DaemonSet')?.spec?.template.spec;
  if (!spec) throw new Error('manifests/07-speaker-daemonset.yaml: no DaemonSet Pod template');
  return spec;
}

/** A Layer 2 pool on the node's segment and its L2Advertisement. */
export const IMAGE_SPEAKER_CONFIG = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: ${SPEAKER_NAMESPACE}}
spec: {addresses: [192.0.2.200-192.0.2.250]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ${SPEAKER_NAMESPACE}}
spec: {ipAddressPools: [lan]}
`;

/** What the rig needs of the lab's API server (the harness Cluster has it). */
export interface ImageSpeakerApi {
  readonly server: string;
  readonly caPem: string;
  readonly kubeConfig: KubeConfig;
  apply(yamlText: string): Promise<unknown>;
}

export class ImageSpeakerRig {
  readonly net: SpeakerNet;
  readonly node: NetNode;
  /** The speaker Pod object's name (owner of its status objects). */
  readonly podName: string;
  readonly containers: Container[] = [];
  readonly #api: ImageSpeakerApi;
  readonly #engine: Engine;
  readonly #image: string;
  readonly #prefix: string;
  readonly #saDir: string;
  readonly #metricsSock: string;
  readonly #hostForward: Server;

  private constructor(
    api: ImageSpeakerApi,
    e: Engine,
    image: string,
    prefix: string,
    net: SpeakerNet,
    podName: string,
    saDir: string,
    hostForward: Server,
  ) {
    this.#api = api;
    this.#engine = e;
    this.#image = image;
    this.#prefix = prefix;
    this.net = net;
    this.node = net.nodes[0]!;
    this.podName = podName;
    this.#saDir = saDir;
    this.#metricsSock = join(net.dir, 'metrics.sock');
    this.#hostForward = hostForward;
  }

  /**
   * The node namespace and its client, the Node and speaker Pod objects, the memberlist Secret (as the
   * controller would create it) and IMAGE_SPEAKER_CONFIG. `prefix` names the namespaces and containers.
   */
  static async start(api: ImageSpeakerApi, e: Engine, image: string, prefix: string): Promise<ImageSpeakerRig> {
    removeLeftoverNamespaces(prefix);
    const net = SpeakerNet.create(prefix, 1);
    const node = net.nodes[0]!;
    let saDir: string | undefined;
    let hostForward: Server | undefined;
    try {
      // In-cluster credentials, as kubelet mounts them: the ServiceAccount's token, the CA, the namespace.
      saDir = mkdtempSync(join(tmpdir(), `${prefix}-sa-`));
      chmodSync(saDir, 0o755);
      writeFileSync(join(saDir, 'token'), await serviceAccountToken(api.kubeConfig, SPEAKER_NAMESPACE, 'speaker'));
      writeFileSync(join(saDir, 'ca.crt'), api.caPem);
      writeFileSync(join(saDir, 'namespace'), SPEAKER_NAMESPACE);
      // The API server from inside the node namespace at 127.0.0.1:<its port> (the Service IP's stand-in).
      const apiPort = Number(new URL(api.server).port);
      const apiSock = join(net.dir, 'api.sock');
      hostForward = await forward({ kind: 'unix', path: apiSock }, { kind: 'tcp', host: '127.0.0.1', port: apiPort });
      await net.forwardInto(node.ns, apiPort, apiSock);
      const monitoring = speakerPodTemplate().containers[0]?.ports?.find((p) => p.name === 'monitoring');
      if (monitoring === undefined) throw new Error('manifests/07: the speaker has no "monitoring" port');
      await net.forwardOut(node.ns, join(net.dir, 'metrics.sock'), monitoring.containerPort);

      const core = api.kubeConfig.makeApiClient(CoreV1Api);
      await createNodeObject(core, node.name, node.ip);
      const podName = await setSpeakerPod(core, node.name, node.ip, true);
      try {
        await core.createNamespacedSecret({
          namespace: SPEAKER_NAMESPACE,
          body: { metadata: { name: 'memberlist' }, data: { secretkey: randomBytes(128).toString('base64') } },
        });
      } catch (err) {
        if (apiStatus(err) !== 409) throw err;
      }
      await api.apply(IMAGE_SPEAKER_CONFIG);
      return new ImageSpeakerRig(api, e, image, prefix, net, podName, saDir, hostForward);
    } catch (err) {
      hostForward?.close();
      net.destroy();
      if (saDir) rmSync(saDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Starts the speaker container from `pod` (speakerPodTemplate(), maybe edited) as kubelet would. */
  async start(pod: V1PodSpec, name: string): Promise<Container> {
    const run = podRunSpec(pod, 'speaker', {
      fields: {
        'spec.nodeName': this.node.name,
        'metadata.name': this.podName,
        'metadata.namespace': SPEAKER_NAMESPACE,
        'status.hostIP': this.node.ip,
        'status.podIP': this.node.ip,
      },
      netnsPath: `/run/netns/${this.node.ns}`,
      extra: [
        '-v',
        `${this.#saDir}:/var/run/secrets/kubernetes.io/serviceaccount:ro`,
        '-e',
        'KUBERNETES_SERVICE_HOST=127.0.0.1',
        '-e',
        `KUBERNETES_SERVICE_PORT=${new URL(this.#api.server).port}`,
      ],
    });
    const c = await startContainer(this.#engine, `${this.#prefix}-${name}`, run.options, this.#image, run.args);
    this.containers.push(c);
    return c;
  }

  /** GET `path` from the speaker's metrics port inside the node namespace. */
  get(path: string): Promise<{ status: number; body: string }> {
    return getUnix(this.#metricsSock, path);
  }

  async destroy(): Promise<void> {
    for (const c of this.containers) await c.remove();
    this.#hostForward.close();
    this.net.destroy();
    rmSync(this.#saDir, { recursive: true, force: true });
  }
}
