// The informers the controller needs, built over the real API: Services (all namespaces), Namespaces
// (labels for namespaceSelectors), the address-pool ConfigMap (one name, by field selector) and the
// metallb.io objects of the controller's namespace.
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import { Informer, type InformerLog, type KubeObject, type ListResult } from './informer.ts';
import type { KubeClients } from './kube-client.ts';
import { METALLB_GROUP, METALLB_RESOURCES, type ConfigMapLike, type CrdObject } from './metallb-kinds.ts';
import { WATCH_BACKOFF } from './watch-backoff.ts';

export interface ControllerInformers {
  services: Informer<V1Service>;
  namespaces: Informer<V1Namespace>;
  configMaps: Informer<ConfigMapLike & KubeObject>;
  crds: Informer<CrdObject & KubeObject>[];
}

export interface InformerRuntime {
  delay: (ms: number) => Promise<void>;
  now: () => number;
  log: InformerLog;
}

export function controllerInformers(
  c: KubeClients,
  opts: { configNamespace: string; configName: string },
  rt: InformerRuntime,
): ControllerInformers {
  const common = { watch: c.watch, backoff: WATCH_BACKOFF, ...rt };
  const ns = opts.configNamespace;
  const fieldSelector = `metadata.name=${opts.configName}`;
  return {
    services: new Informer<V1Service>({
      ...common,
      name: 'services',
      path: '/api/v1/services',
      list: () => c.core.listServiceForAllNamespaces() as Promise<ListResult<V1Service>>,
    }),
    namespaces: new Informer<V1Namespace>({
      ...common,
      name: 'namespaces',
      path: '/api/v1/namespaces',
      list: () => c.core.listNamespace() as Promise<ListResult<V1Namespace>>,
    }),
    configMaps: new Informer<ConfigMapLike & KubeObject>({
      ...common,
      name: 'configmap',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      fieldSelector,
      list: () => c.core.listNamespacedConfigMap({ namespace: ns, fieldSelector }) as Promise<ListResult<ConfigMapLike & KubeObject>>,
    }),
    crds: METALLB_RESOURCES.map(
      (r) =>
        new Informer<CrdObject & KubeObject>({
          ...common,
          name: r.plural,
          path: `/apis/${METALLB_GROUP}/${r.version}/namespaces/${ns}/${r.plural}`,
          absentIsEmpty: true,
          list: async () => {
            const list = (await c.custom.listNamespacedCustomObject({
              group: METALLB_GROUP,
              version: r.version,
              namespace: ns,
              plural: r.plural,
            })) as ListResult<CrdObject & KubeObject>;
            // Items of a custom resource list carry no kind; the parser needs it.
            for (const item of list.items ?? []) {
              item.kind ??= r.kind;
              item.apiVersion ??= `${METALLB_GROUP}/${r.version}`;
            }
            return list;
          },
        }),
    ),
  };
}
