// What the speaker hands the IPVS syncer (pure): every LoadBalancer Service of this installation (its
// spec.loadBalancerClass is ours, as for announcing) that has an ingress IP, and the EndpointSlices of
// those Services, whoever announces them — every node forwards, as kube-proxy does. Then the same objects
// as the syncer's plain inputs, each object that cannot be used reported with where and why.
import { KubeInputCache, type DesiredInput, type KubeProblem } from '../ipvs/index.ts';
import {
  handlesClass,
  serviceKey,
  sliceServiceKey,
  type EndpointSliceLike,
  type ServiceLikeForSpeaker,
} from './cluster-view.ts';

export interface IpvsObjects {
  services: readonly unknown[];
  endpointSlices: readonly unknown[];
}

const hasIngressIp = (svc: ServiceLikeForSpeaker): boolean =>
  (svc.status?.loadBalancer?.ingress ?? []).some((i) => typeof i?.ip === 'string' && i.ip !== '');

/** The Services the syncer programs on this node and their slices (lbClass as `--lb-class`). */
export function ipvsObjects(
  services: readonly ServiceLikeForSpeaker[],
  slices: readonly EndpointSliceLike[],
  lbClass: string | undefined,
): IpvsObjects {
  const ours = services.filter((s) => s.spec?.type === 'LoadBalancer' && handlesClass(s, lbClass) && hasIngressIp(s));
  const keys = new Set(ours.map(serviceKey));
  return { services: ours, endpointSlices: slices.filter((s) => keys.has(sliceServiceKey(s) ?? '')) };
}

type Meta = { metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string } };

/**
 * A cheap identity of a set of API objects: uid + resourceVersion of each (the API server changes the
 * resourceVersion on every write), or the whole object when it has none (objects not from the API).
 * Equal fingerprints = nothing the syncer reads changed.
 */
export function objectsFingerprint(o: IpvsObjects): string {
  const one = (x: unknown): string => {
    const m = (x as Meta | null)?.metadata;
    return m?.resourceVersion
      ? `${m.namespace ?? ''}/${m.name ?? ''}/${m.uid ?? ''}@${m.resourceVersion}`
      : JSON.stringify(x);
  };
  return `${o.services.map(one).join('\n')}\n--\n${o.endpointSlices.map(one).join('\n')}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The API objects as the syncer's inputs; objects that are not even objects are reported too. With the
 * adapter's `cache`, an object the informer did not replace converts to the same input object as last
 * time, so the syncer rebuilds only the Services that changed.
 */
export function ipvsInput(
  o: IpvsObjects,
  cache: KubeInputCache = new KubeInputCache(),
): { input: DesiredInput; problems: KubeProblem[] } {
  const problems: KubeProblem[] = [];
  o.services.forEach((s, i) => {
    if (!isRecord(s)) problems.push({ object: `services[${i}]`, message: 'not an object; skipped' });
  });
  o.endpointSlices.forEach((s, i) => {
    if (!isRecord(s)) problems.push({ object: `endpointSlices[${i}]`, message: 'not an object; skipped' });
  });
  const converted = cache.convert(o.services, o.endpointSlices);
  return { input: converted.input, problems: [...problems, ...converted.problems] };
}
