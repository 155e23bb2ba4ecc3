// The informers the speaker needs, over the real API: Services (all namespaces), EndpointSlices
// (discovery.k8s.io/v1, all namespaces), Nodes, the configuration (the controller's ConfigMap and
// metallb.io informers, reused as they are), the Secrets of the speaker's namespace (memberlist key, BGP
// passwords) and the speaker Pods of the DaemonSet (label selector: join addresses, pod membership).
import { DiscoveryV1Api, type V1EndpointSlice, type V1Node, type V1Pod, type V1Secret, type V1Service } from '@kubernetes/client-node';
import type { ConfigMapLike, CrdObject } from './metallb-kinds.ts';
import { WATCH_BACKOFF } from './watch-backoff.ts';
import { Informer, type KubeObject, type ListResult } from './informer.ts';
import type { KubeClients } from './kube-client.ts';
import { controllerInformers, type InformerRuntime } from './resources.ts';

export interface SpeakerInformers {
  services: Informer<V1Service>;
  slices: Informer<V1EndpointSlice>;
  nodes: Informer<V1Node>;
  configMaps: Informer<ConfigMapLike & KubeObject>;
  crds: Informer<CrdObject & KubeObject>[];
  secrets: Informer<V1Secret>;
  pods: Informer<V1Pod>;
}

export function speakerInformers(
  c: KubeClients,
  opts: { configNamespace: string; configName: string; namespace: string; speakerSelector: string },
  rt: InformerRuntime,
): SpeakerInformers {
  const common = { watch: c.watch, backoff: WATCH_BACKOFF, ...rt };
  const { services, configMaps, crds } = controllerInformers(c, opts, rt);
  const discovery = c.kubeConfig.makeApiClient(DiscoveryV1Api);
  const ns = opts.namespace;
  const labelSelector = opts.speakerSelector;
  return {
    services,
    configMaps,
    crds,
    slices: new Informer<V1EndpointSlice>({
      ...common,
      name: 'endpointslices',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: () => discovery.listEndpointSliceForAllNamespaces() as Promise<ListResult<V1EndpointSlice>>,
    }),
    nodes: new Informer<V1Node>({
      ...common,
      name: 'nodes',
      path: '/api/v1/nodes',
      list: () => c.core.listNode() as Promise<ListResult<V1Node>>,
    }),
    secrets: new Informer<V1Secret>({
      ...common,
      name: 'secrets',
      path: `/api/v1/namespaces/${ns}/secrets`,
      list: () => c.core.listNamespacedSecret({ namespace: ns }) as Promise<ListResult<V1Secret>>,
    }),
    pods: new Informer<V1Pod>({
      ...common,
      name: 'speaker-pods',
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector,
      list: () => c.core.listNamespacedPod({ namespace: ns, labelSelector }) as Promise<ListResult<V1Pod>>,
    }),
  };
}
