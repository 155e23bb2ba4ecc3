// What the controller keeps of a Service or Namespace in its cache. A Service keeps every metadata field
// a user can set (the status PUT sends metadata back, and the API server stores it as sent: dropping a
// label or an annotation here would delete it), the spec fields serviceToRequest reads (the server
// ignores spec in a status write), those the speaker's IPVS syncer reads (port names, which
// EndpointSlice ports match; session affinity; loadBalancerSourceRanges) and status.loadBalancer. Dropped:
// managedFields (the server keeps its own when the field is omitted), the rest of spec and status.
import type { V1Namespace, V1Service } from '@kubernetes/client-node';

export function trimService(svc: V1Service): V1Service {
  const m = svc.metadata ?? {};
  const s = svc.spec ?? {};
  const meta: NonNullable<V1Service['metadata']> = {};
  for (const k of [
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'deletionTimestamp',
    'generateName',
    'labels',
    'annotations',
    'finalizers',
    'ownerReferences',
  ] as const) {
    if (m[k] !== undefined) (meta as Record<string, unknown>)[k] = m[k];
  }
  const spec: NonNullable<V1Service['spec']> = {};
  for (const k of [
    'type',
    'loadBalancerClass',
    'ipFamilyPolicy',
    'ipFamilies',
    'clusterIP',
    'clusterIPs',
    'externalTrafficPolicy',
    'selector',
    'loadBalancerIP',
    'sessionAffinity',
    'sessionAffinityConfig',
    'loadBalancerSourceRanges',
  ] as const) {
    if (s[k] !== undefined) (spec as Record<string, unknown>)[k] = s[k];
  }
  if (Array.isArray(s.ports))
    spec.ports = s.ports.map(
      (p) =>
        ({ ...(p?.name ? { name: p.name } : {}), port: p?.port, protocol: p?.protocol }) as NonNullable<
          typeof s.ports
        >[number],
    );
  const out: V1Service = { metadata: meta, spec };
  if (svc.status?.loadBalancer !== undefined) out.status = { loadBalancer: svc.status.loadBalancer };
  return out;
}

export function trimNamespace(ns: V1Namespace): V1Namespace {
  const m = ns.metadata ?? {};
  return { metadata: { name: m.name, resourceVersion: m.resourceVersion, ...(m.labels ? { labels: m.labels } : {}) } };
}
