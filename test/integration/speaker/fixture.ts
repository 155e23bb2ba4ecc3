// Shared setup of the speaker integration tests: a real API server with manifests/ applied, the
// speaker's ServiceAccount token, Node / speaker Pod / Service / EndpointSlice objects made as admin (no
// kubelet runs: Pod and Service status are written directly), and waits on status objects.
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api } from '@kubernetes/client-node';
import { installManifests, startCluster, waitFor, type Cluster } from '../../../src/lab/index.ts';
import { createNodeObject, setSpeakerPod as setSpeakerPod0 } from '../../../src/lab/speaker-lab.ts';

export const NS = 'ferrolb-system';

export interface SpeakerEnv {
  cluster: Cluster;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  discovery: DiscoveryV1Api;
  speakerKubeconfig: string;
  stop(): Promise<void>;
}

export async function setupSpeakerEnv(): Promise<SpeakerEnv> {
  const cluster = await startCluster();
  try {
    for (const text of installManifests()) await cluster.apply(text);
    const kc = cluster.kubeConfig;
    return {
      cluster,
      core: kc.makeApiClient(CoreV1Api),
      custom: kc.makeApiClient(CustomObjectsApi),
      discovery: kc.makeApiClient(DiscoveryV1Api),
      speakerKubeconfig: await cluster.serviceAccountKubeconfig(NS, 'speaker'),
      stop: () => cluster.stop(),
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

export async function createNode(
  env: SpeakerEnv,
  name: string,
  address: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await createNodeObject(env.core, name, address, labels);
}

/** A speaker Pod object on `node`, Running and Ready (or not), as the DaemonSet would make it. */
export async function setSpeakerPod(env: SpeakerEnv, node: string, ip: string, ready: boolean): Promise<string> {
  return setSpeakerPod0(env.core, node, ip, ready);
}

export async function createLbService(
  env: SpeakerEnv,
  namespace: string,
  name: string,
  ip: string,
  endpointNodes: string[],
  opts: { local?: boolean } = {},
): Promise<void> {
  await env.core.createNamespacedService({
    namespace,
    body: {
      metadata: { name, namespace },
      spec: {
        type: 'LoadBalancer',
        ports: [{ port: 80, targetPort: 8080 }],
        externalTrafficPolicy: opts.local ? 'Local' : 'Cluster',
      },
    },
  });
  const svc = await env.core.readNamespacedService({ name, namespace });
  svc.status = { loadBalancer: { ingress: [{ ip }] } };
  await env.core.replaceNamespacedServiceStatus({ name, namespace, body: svc });
  await setEndpoints(env, namespace, name, endpointNodes);
}

export async function setEndpoints(
  env: SpeakerEnv,
  namespace: string,
  service: string,
  nodes: string[],
): Promise<void> {
  const name = `${service}-fsp`;
  const body = {
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: nodes.map((nodeName, i) => ({ addresses: [`10.244.${i}.10`], nodeName, conditions: { ready: true } })),
    ports: [{ port: 8080, protocol: 'TCP' }],
  };
  try {
    const old = await env.discovery.readNamespacedEndpointSlice({ name, namespace });
    await env.discovery.replaceNamespacedEndpointSlice({
      name,
      namespace,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion } },
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await env.discovery.createNamespacedEndpointSlice({ namespace, body });
  }
}

export interface StatusObject {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  status?: {
    node?: string;
    serviceName?: string;
    serviceNamespace?: string;
    interfaces?: { name: string }[];
    peers?: string[];
  };
}

export async function statusObjects(env: SpeakerEnv, kind: 'l2' | 'bgp', service?: string): Promise<StatusObject[]> {
  const list = (await env.custom.listNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: NS,
    plural: kind === 'l2' ? 'servicel2statuses' : 'servicebgpstatuses',
    ...(service ? { labelSelector: `metallb.io/service-name=${service}` } : {}),
  })) as { items: StatusObject[] };
  return list.items;
}

/** Waits until the status objects of `service` name exactly `nodes` (sorted) with their status filled in. */
export async function waitStatusNodes(
  env: SpeakerEnv,
  kind: 'l2' | 'bgp',
  service: string,
  nodes: string[],
  diagnostics: () => string,
): Promise<StatusObject[]> {
  return waitFor(
    async () => {
      const items = await statusObjects(env, kind, service);
      const got = items.map((i) => i.status?.node ?? '?').sort();
      return JSON.stringify(got) === JSON.stringify([...nodes].sort()) && items;
    },
    {
      what: `${kind} status objects of ${service} on ${nodes.join(', ') || 'no node'}`,
      timeoutMs: 60_000,
      intervalMs: 200,
      diagnostics,
    },
  );
}

export const logDir = (env: SpeakerEnv): string => env.cluster.dir;
export const logPath = (env: SpeakerEnv, node: string): string => join(env.cluster.dir, `speaker-${node}.log`);
