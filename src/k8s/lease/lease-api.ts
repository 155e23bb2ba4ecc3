// The Lease as the elector sees it, over the REST client: get, create, update with the
// resourceVersion precondition (a 409 means someone else wrote it first). Needs get/create/update on
// leases in one namespace, nothing else.
import type { V1Lease } from '@kubernetes/client-node';
import { httpStatus } from '../informer.ts';
import type { KubeRest } from '../rest.ts';
import type { LeaseApi } from './elector.ts';
import type { LeaseRecord } from './rules.ts';

function recordOf(lease: V1Lease): LeaseRecord {
  const s = lease.spec ?? {};
  const r: LeaseRecord = {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    leaseTransitions: s.leaseTransitions ?? 0,
  };
  // Read as the JSON text the API sent (MicroTime); the types say Date but no reviver runs here.
  if (s.acquireTime !== undefined) r.acquireTime = String(s.acquireTime);
  if (s.renewTime !== undefined) r.renewTime = String(s.renewTime);
  return r;
}

export function restLeaseApi(rest: KubeRest, namespace: string, name: string): LeaseApi {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const body = (record: LeaseRecord, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
    spec: record,
  });
  return {
    async get() {
      try {
        const lease = await rest.request<V1Lease>('GET', `${base}/${encodeURIComponent(name)}`);
        return { record: recordOf(lease), resourceVersion: lease.metadata?.resourceVersion ?? '' };
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw err;
      }
    },
    async create(record) {
      const lease = await rest.request<V1Lease>('POST', base, { body: body(record) });
      return lease.metadata?.resourceVersion ?? '';
    },
    async update(record, resourceVersion) {
      const lease = await rest.request<V1Lease>('PUT', `${base}/${encodeURIComponent(name)}`, {
        body: body(record, resourceVersion),
      });
      return lease.metadata?.resourceVersion ?? '';
    },
  };
}
