// The informers the speaker needs, over the REST client: Services (all namespaces), EndpointSlices
// (discovery.k8s.io/v1, all namespaces), Nodes, the configuration (the controller's ConfigMap and
// metallb.io informers, reused as they are), the Secrets of the speaker's namespace (memberlist key, BGP
// passwords) and the speaker Pods of the DaemonSet (label selector: join addresses, pod membership).
import type { V1EndpointSlice, V1Node, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { Informer, type KubeObject } from './informer.ts';
import type { ConfigMapLike, CrdObject } from './metallb-kinds.ts';
import { controllerInformers, listAll, type InformerRuntime } from './resources.ts';
import type { KubeRest } from './rest.ts';
import { WATCH_BACKOFF } from './watch-backoff.ts';

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
  rest: KubeRest,
  opts: { configNamespace: string; configName: string; namespace: string; speakerSelector: string },
  rt: InformerRuntime,
): SpeakerInformers {
  const common = { watch: rest.watch, backoff: WATCH_BACKOFF, ...rt };
  const { services, configMaps, crds } = controllerInformers(rest, opts, rt);
  const ns = opts.namespace;
  const labelSelector = opts.speakerSelector;
  const informer = <T extends KubeObject>(
    name: string,
    path: string,
    query: Record<string, string> = {},
  ): Informer<T> =>
    new Informer<T>({
      ...common,
      name,
      path,
      ...(query.labelSelector !== undefined ? { labelSelector: query.labelSelector } : {}),
      list: () => listAll<T>(rest, path, query),
    });
  return {
    services,
    configMaps,
    crds,
    slices: informer<V1EndpointSlice>('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices'),
    nodes: informer<V1Node>('nodes', '/api/v1/nodes'),
    secrets: informer<V1Secret>('secrets', `/api/v1/namespaces/${ns}/secrets`),
    pods: informer<V1Pod>('speaker-pods', `/api/v1/namespaces/${ns}/pods`, { labelSelector }),
  };
}
