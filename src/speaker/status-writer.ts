// Writes this node's ServiceL2Status / ServiceBGPStatus objects (MetalLB's): created in the speaker's
// namespace with generateName l2- / bgp-, MetalLB's labels and the speaker Pod as owner (so the garbage
// collector removes them with the Pod), status set through the status subresource. It lists its own
// objects (label metallb.io/node=<node>) once, then keeps that view from its own writes; after a failed
// write it lists again before the next plan. Never throws: a failure is logged, counted and reported
// (false) so the speaker retries.
import type { V1OwnerReference } from '@kubernetes/client-node';
import {
  planStatuses,
  STATUS_LABEL_NODE,
  statusLabels,
  type ExistingStatus,
  type StatusKind,
  type WantedStatus,
} from './status-plan.ts';
import { errorText } from '../k8s/informer.ts';
import type { KubeRest } from '../k8s/rest.ts';

const GROUP = 'metallb.io';
const VERSION = 'v1beta1';
const PLURAL: Record<StatusKind, string> = {
  ServiceL2Status: 'servicel2statuses',
  ServiceBGPStatus: 'servicebgpstatuses',
};
const PREFIX: Record<StatusKind, string> = { ServiceL2Status: 'l2-', ServiceBGPStatus: 'bgp-' };

/** The calls the writer makes on metallb.io status objects of one namespace. */
export interface StatusApi {
  list(plural: string, labelSelector: string): Promise<{ items?: Record<string, unknown>[] }>;
  create(plural: string, body: object): Promise<Record<string, unknown>>;
  replaceStatus(plural: string, name: string, body: object): Promise<Record<string, unknown>>;
  delete(plural: string, name: string): Promise<unknown>;
}

export function restStatusApi(rest: KubeRest, namespace: string): StatusApi {
  const base = (plural: string): string =>
    `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return {
    list: (plural, labelSelector) => rest.request('GET', base(plural), { query: { labelSelector } }),
    create: (plural, body) => rest.request('POST', base(plural), { body }),
    replaceStatus: (plural, name, body) =>
      rest.request('PUT', `${base(plural)}/${encodeURIComponent(name)}/status`, { body }),
    delete: (plural, name) => rest.request('DELETE', `${base(plural)}/${encodeURIComponent(name)}`),
  };
}

interface StoredObject extends ExistingStatus {
  object: Record<string, unknown>;
}

export interface StatusWriterLog {
  warn(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
}

export interface StatusWriterOptions {
  api: StatusApi;
  namespace: string;
  node: string;
  /** The speaker Pod, as owner of the objects; undefined when not running in a Pod (lab processes). */
  owner: () => V1OwnerReference | undefined;
  log: StatusWriterLog;
  count?: (verb: string, result: 'success' | 'failure') => void;
}

export class ApiStatusWriter {
  readonly #o: StatusWriterOptions;
  #have: Map<string, StoredObject> | undefined;

  constructor(o: StatusWriterOptions) {
    this.#o = o;
  }

  async #list(): Promise<Map<string, StoredObject>> {
    const map = new Map<string, StoredObject>();
    for (const kind of Object.keys(PLURAL) as StatusKind[]) {
      const list = await this.#o.api.list(PLURAL[kind], `${STATUS_LABEL_NODE}=${this.#o.node}`);
      for (const item of list.items ?? []) this.#store(kind, item, map);
    }
    return map;
  }

  #store(kind: StatusKind, obj: Record<string, unknown>, map: Map<string, StoredObject>): void {
    const meta = (obj.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
    if (!meta.name) return;
    map.set(`${kind}|${meta.name}`, {
      kind,
      name: meta.name,
      labels: meta.labels ?? {},
      status: (obj.status ?? undefined) as ExistingStatus['status'],
      object: obj,
    });
  }

  async reconcile(wanted: readonly WantedStatus[]): Promise<boolean> {
    const o = this.#o;
    const count = (verb: string, result: 'success' | 'failure'): void => o.count?.(verb, result);
    if (this.#have === undefined) {
      try {
        this.#have = await this.#list();
        count('list', 'success');
      } catch (err) {
        count('list', 'failure');
        o.log.warn({ error: errorText(err) }, "cannot list this node's status objects: retrying");
        return false;
      }
    }
    const have = this.#have;
    const plan = planStatuses(wanted, [...have.values()]);
    let failed = false;
    for (const d of plan.delete) {
      try {
        await o.api.delete(PLURAL[d.kind], d.name);
        count('delete', 'success');
      } catch (err) {
        if ((err as { code?: number }).code !== 404) {
          failed = true;
          count('delete', 'failure');
          o.log.warn({ kind: d.kind, name: d.name, error: errorText(err) }, 'cannot delete a status object');
          continue;
        }
      }
      have.delete(`${d.kind}|${d.name}`);
    }
    const writeStatus = async (
      kind: StatusKind,
      obj: Record<string, unknown>,
      status: WantedStatus['status'],
    ): Promise<void> => {
      const name = (obj.metadata as { name: string }).name;
      const body = { ...obj, status };
      const updated = await o.api.replaceStatus(PLURAL[kind], name, body);
      this.#store(kind, updated, have);
    };
    for (const c of plan.create) {
      const owner = o.owner();
      try {
        const created = await o.api.create(PLURAL[c.kind], {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: c.kind,
          metadata: {
            generateName: PREFIX[c.kind],
            namespace: o.namespace,
            labels: statusLabels(c.status),
            ...(owner ? { ownerReferences: [owner] } : {}),
          },
          spec: {},
        });
        this.#store(c.kind, created, have);
        await writeStatus(c.kind, created, c.status);
        count('create', 'success');
      } catch (err) {
        failed = true;
        count('create', 'failure');
        o.log.warn(
          { kind: c.kind, service: `${c.status.serviceNamespace}/${c.status.serviceName}`, error: errorText(err) },
          'cannot create a status object',
        );
      }
    }
    for (const u of plan.update) {
      const stored = have.get(`${u.kind}|${u.name}`);
      if (!stored) continue;
      try {
        await writeStatus(u.kind, stored.object, u.status);
        count('update', 'success');
      } catch (err) {
        failed = true;
        count('update', 'failure');
        o.log.warn({ kind: u.kind, name: u.name, error: errorText(err) }, 'cannot update a status object');
      }
    }
    if (failed) this.#have = undefined;
    else
      o.log.debug(
        { created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length },
        'status objects in sync',
      );
    return !failed;
  }
}
