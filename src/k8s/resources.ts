// The informers the controller needs, built over the REST client: Services (all namespaces), Namespaces
// (labels for namespaceSelectors), the address-pool ConfigMap (one name, by field selector) and the
// metallb.io objects of the controller's namespace. Services and Namespaces are stored trimmed to the
// fields the controller reads or must write back unchanged (trim.ts), not whole: at 5,000 Services the
// managedFields alone were most of the cache.
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import { Informer, type InformerLog, type KubeObject, type ListResult } from './informer.ts';
import { METALLB_GROUP, METALLB_RESOURCES, type ConfigMapLike, type CrdObject } from './metallb-kinds.ts';
import type { KubeRest } from './rest.ts';
import { trimNamespace, trimService } from './trim.ts';
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

/** Lists in pages so a big cluster's first list is not one huge answer held twice in memory. */
const PAGE = 500;

export async function listAll<T>(
  rest: KubeRest,
  path: string,
  query: Record<string, string>,
  trim?: (o: T) => T,
): Promise<ListResult<T>> {
  const items: T[] = [];
  let cont = '';
  let resourceVersion: string | undefined;
  do {
    const page = await rest.request<ListResult<T> & { metadata?: { continue?: string } }>('GET', path, {
      query: { ...query, limit: String(PAGE), ...(cont ? { continue: cont } : {}) },
    });
    for (const item of page.items ?? []) items.push(trim ? trim(item) : item);
    resourceVersion = page.metadata?.resourceVersion;
    cont = page.metadata?.continue ?? '';
  } while (cont !== '');
  return { items, metadata: { resourceVersion } };
}

export function controllerInformers(
  rest: KubeRest,
  opts: { configNamespace: string; configName: string },
  rt: InformerRuntime,
): ControllerInformers {
  const common = { watch: rest.watch, backoff: WATCH_BACKOFF, ...rt };
  const ns = opts.configNamespace;
  const fieldSelector = `metadata.name=${opts.configName}`;
  return {
    services: new Informer<V1Service>({
      ...common,
      name: 'services',
      path: '/api/v1/services',
      transform: trimService,
      list: () => listAll(rest, '/api/v1/services', {}, trimService),
    }),
    namespaces: new Informer<V1Namespace>({
      ...common,
      name: 'namespaces',
      path: '/api/v1/namespaces',
      transform: trimNamespace,
      list: () => listAll(rest, '/api/v1/namespaces', {}, trimNamespace),
    }),
    configMaps: new Informer<ConfigMapLike & KubeObject>({
      ...common,
      name: 'configmap',
      path: `/api/v1/namespaces/${ns}/configmaps`,
      fieldSelector,
      list: () => listAll(rest, `/api/v1/namespaces/${ns}/configmaps`, { fieldSelector }),
    }),
    crds: METALLB_RESOURCES.map(
      (r) =>
        new Informer<CrdObject & KubeObject>({
          ...common,
          name: r.plural,
          path: `/apis/${METALLB_GROUP}/${r.version}/namespaces/${ns}/${r.plural}`,
          absentIsEmpty: true,
          list: async () => {
            const list = await listAll<CrdObject & KubeObject>(
              rest,
              `/apis/${METALLB_GROUP}/${r.version}/namespaces/${ns}/${r.plural}`,
              {},
            );
            // Items of a custom resource list carry no kind; the parser needs it.
            for (const item of list.items) {
              item.kind ??= r.kind;
              item.apiVersion ??= `${METALLB_GROUP}/${r.version}`;
            }
            return list;
          },
        }),
    ),
  };
}
