// Pure translation of the API objects the speaker reads (Services, EndpointSlices, Nodes) into the
// facts its decisions take (ServiceView, NodeFacts, NodeInfo). Untrusted JSON in; a value or the reason
// the object is not ours out. No client, no I/O.
import type { Config } from '../config/index.ts';
import type { EndpointFacts, NodeFacts } from '../election/index.ts';
import { canonicalIp, parseIp } from '../net/ip.ts';
import type { ServiceView } from './inputs.ts';

/** The EndpointSlice label naming its Service (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ServiceLikeForSpeaker {
  metadata?: { name?: string; namespace?: string };
  spec?: { type?: string; loadBalancerClass?: string | null; externalTrafficPolicy?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

export interface EndpointSliceLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  endpoints?:
    { nodeName?: string; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }[] | null;
}

export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: {
    conditions?: { type?: string; status?: string }[];
    addresses?: { type?: string; address?: string }[];
  };
}

export type ServiceViewOutcome = { kind: 'view'; view: ServiceView } | { kind: 'skip'; reason: string };

/**
 * Whether this installation handles the Service, by the controller's --lb-class rule: with no class
 * configured only Services without a class, otherwise exactly that class.
 */
export function handlesClass(svc: ServiceLikeForSpeaker, lbClass: string | undefined): boolean {
  return (svc.spec?.loadBalancerClass ?? undefined) === lbClass;
}

export function serviceKey(obj: { metadata?: { name?: string; namespace?: string } }): string {
  return `${obj.metadata?.namespace || 'default'}/${obj.metadata?.name ?? ''}`;
}

/** The Service a slice belongs to (`namespace/name` from its label), or undefined. */
export function sliceServiceKey(slice: EndpointSliceLike): string | undefined {
  const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (typeof name !== 'string' || name === '') return undefined;
  return `${slice.metadata?.namespace || 'default'}/${name}`;
}

export function endpointFacts(slices: readonly EndpointSliceLike[]): EndpointFacts[] {
  const out: EndpointFacts[] = [];
  for (const s of slices) {
    if (!Array.isArray(s.endpoints)) continue;
    for (const e of s.endpoints) {
      const c = e?.conditions ?? {};
      const f: EndpointFacts = {};
      if (typeof e?.nodeName === 'string' && e.nodeName !== '') f.nodeName = e.nodeName;
      if (typeof c.ready === 'boolean') f.ready = c.ready;
      if (typeof c.serving === 'boolean') f.serving = c.serving;
      if (typeof c.terminating === 'boolean') f.terminating = c.terminating;
      out.push(f);
    }
  }
  return out;
}

export function serviceView(
  svc: ServiceLikeForSpeaker,
  slices: readonly EndpointSliceLike[],
  lbClass: string | undefined,
): ServiceViewOutcome {
  const key = serviceKey(svc);
  if (!svc.metadata?.name) return { kind: 'skip', reason: 'Service has no metadata.name' };
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') return { kind: 'skip', reason: `Service ${key} has type ${type}` };
  if (!handlesClass(svc, lbClass)) {
    return {
      kind: 'skip',
      reason: `Service ${key} has loadBalancerClass ${JSON.stringify(svc.spec?.loadBalancerClass ?? null)}, not ours`,
    };
  }
  const ips: string[] = [];
  const ingress = svc.status?.loadBalancer?.ingress;
  for (const i of Array.isArray(ingress) ? ingress : []) {
    const ip = typeof i?.ip === 'string' ? canonicalIp(i.ip) : undefined;
    if (ip !== undefined && !ips.includes(ip)) ips.push(ip);
  }
  const etp = svc.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
  return { kind: 'view', view: { key, ips, externalTrafficPolicy: etp, endpoints: endpointFacts(slices) } };
}

export function nodeFacts(node: NodeLike): NodeFacts | undefined {
  const name = node.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const conditions = Array.isArray(node.status?.conditions) ? node.status.conditions : [];
  return {
    name,
    labels: { ...(node.metadata?.labels ?? {}) },
    networkUnavailable: conditions.some((c) => c?.type === 'NetworkUnavailable' && c.status === 'True'),
  };
}

/** The node's InternalIP per family (BGP next hops), first of each family. */
export function nodeAddresses(node: NodeLike): { ipv4?: string; ipv6?: string } {
  const out: { ipv4?: string; ipv6?: string } = {};
  const addrs = Array.isArray(node.status?.addresses) ? node.status.addresses : [];
  for (const a of addrs) {
    if (a?.type !== 'InternalIP' || typeof a.address !== 'string') continue;
    const ip = parseIp(a.address);
    if (!ip) continue;
    const text = canonicalIp(a.address) as string;
    if (ip.family === 'ipv4') out.ipv4 ??= text;
    else out.ipv6 ??= text;
  }
  return out;
}

/** Which pool an IP belongs to: the first pool of the configuration whose ranges hold it. */
export function poolLookup(config: Config): (ip: string) => string | undefined {
  return (text) => {
    const ip = parseIp(text);
    if (!ip) return undefined;
    for (const pool of config.pools) {
      for (const r of pool.ranges)
        if (r.family === ip.family && r.first <= ip.value && ip.value <= r.last) return pool.name;
    }
    return undefined;
  };
}
