// Pure translation of a Service (plain Service-shaped JSON, as the API server sends it) into the
// allocator's AllocationRequest. Says "skip" for Services that are not ours and "error" (naming the
// field and the value) for ones that are ours but malformed. No client, no I/O.
import type { Family } from '../net/family.ts';
import type { AllocationRequest, IpFamilyPolicy, PortProtocol, ServicePort } from '../allocator/types.ts';
import { excerpt, quote } from '../config/excerpt.ts';
import { canonicalIp, parseIp } from '../net/ip.ts';

/** The parts of a core/v1 Service this module reads. Everything optional: input is untrusted JSON. */
export interface ServiceLike {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    type?: string;
    loadBalancerClass?: string | null;
    ipFamilyPolicy?: string;
    ipFamilies?: string[];
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: { port?: number; protocol?: string; name?: string }[];
    externalTrafficPolicy?: string;
    selector?: Record<string, string> | null;
    loadBalancerIP?: string;
  };
}

export interface ServiceRequestOptions {
  /**
   * The load balancer class we implement. Unset: we handle only Services without a class. Set: only
   * Services with exactly this class (a Service without a class is left to the cluster's default
   * implementation, as MetalLB does with --lb-class).
   */
  lbClass?: string;
  /** Labels of the Service's namespace (for serviceAllocation.namespaceSelectors). */
  namespaceLabels?: Record<string, string>;
}

export type ServiceRequestOutcome =
  | { kind: 'request'; request: AllocationRequest }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; message: string };

/** MetalLB's current and legacy annotation prefixes; both are honoured. */
export const ANNOTATION_PREFIXES = ['metallb.io/', 'metallb.universe.tf/'] as const;
export const ANNOTATION_ADDRESS_POOL = 'address-pool';
export const ANNOTATION_ALLOW_SHARED_IP = 'allow-shared-ip';
export const ANNOTATION_LOAD_BALANCER_IPS = 'loadBalancerIPs';

const POLICIES: readonly IpFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const PROTOCOLS: readonly PortProtocol[] = ['TCP', 'UDP', 'SCTP'];

class ServiceError extends Error {}

export function serviceToRequest(svc: ServiceLike, opts: ServiceRequestOptions = {}): ServiceRequestOutcome {
  try {
    return translate(svc, opts);
  } catch (err) {
    if (err instanceof ServiceError) return { kind: 'error', message: excerpt(err.message, 600) };
    throw err;
  }
}

function translate(svc: ServiceLike, opts: ServiceRequestOptions): ServiceRequestOutcome {
  if (typeof svc !== 'object' || svc === null) return { kind: 'error', message: 'Service is not an object' };
  const meta = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  const name = meta.name;
  if (typeof name !== 'string' || name === '') return { kind: 'error', message: 'Service has no metadata.name' };
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const key = `${namespace}/${name}`;
  const fail = (msg: string): never => {
    throw new ServiceError(`Service ${key}: ${msg}`);
  };

  const type = spec.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') return { kind: 'skip', reason: `Service ${key} has type ${type}, not LoadBalancer` };
  const svcClass = spec.loadBalancerClass ?? undefined;
  if (svcClass !== opts.lbClass) {
    return {
      kind: 'skip',
      reason:
        svcClass === undefined
          ? `Service ${key} has no loadBalancerClass and we only handle class "${opts.lbClass}"`
          : opts.lbClass === undefined
            ? `Service ${key} has loadBalancerClass "${svcClass}"; we only handle Services without a class`
            : `Service ${key} has loadBalancerClass "${svcClass}", not "${opts.lbClass}"`,
    };
  }

  const labels = stringMap(meta.labels, 'metadata.labels', fail);
  const annotations = stringMap(meta.annotations, 'metadata.annotations', fail);

  const policy = spec.ipFamilyPolicy ?? 'SingleStack';
  if (!POLICIES.includes(policy as IpFamilyPolicy))
    fail(`spec.ipFamilyPolicy "${policy}" is not one of ${POLICIES.join(', ')}`);

  const ipFamilies = familiesOf(spec, fail);

  const ports: ServicePort[] = [];
  const rawPorts = spec.ports ?? [];
  if (!Array.isArray(rawPorts)) fail('spec.ports is not a list');
  rawPorts.forEach((p, i) => {
    const port = p?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      fail(`spec.ports[${i}].port ${JSON.stringify(port)} is not a port number 1..65535`);
    }
    const protocol = p.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol as PortProtocol))
      fail(`spec.ports[${i}].protocol "${protocol}" is not TCP, UDP or SCTP`);
    ports.push({ port: port as number, protocol: protocol as PortProtocol });
  });

  const etp = spec.externalTrafficPolicy ?? 'Cluster';
  if (etp !== 'Cluster' && etp !== 'Local') fail(`spec.externalTrafficPolicy "${etp}" is not Cluster or Local`);

  const poolHint = annotation(annotations, ANNOTATION_ADDRESS_POOL, fail);
  const sharingKey = annotation(annotations, ANNOTATION_ALLOW_SHARED_IP, fail);
  const requestedIps = requestedAddresses(
    spec.loadBalancerIP,
    annotation(annotations, ANNOTATION_LOAD_BALANCER_IPS, fail),
    fail,
  );

  const request: AllocationRequest = {
    key,
    namespace,
    labels,
    namespaceLabels: opts.namespaceLabels ?? {},
    ipFamilyPolicy: policy as IpFamilyPolicy,
    ipFamilies,
    ports,
    requestedIps,
    externalTrafficPolicy: etp as 'Cluster' | 'Local',
    backendKey: selectorString(stringMap(spec.selector ?? undefined, 'spec.selector', fail)),
  };
  if (poolHint !== undefined) request.poolHint = poolHint;
  if (sharingKey !== undefined) request.sharingKey = sharingKey;
  return { kind: 'request', request };
}

/**
 * A best-effort request for a Service whose spec is invalid, to keep the addresses in its status across a
 * restart: the families of those addresses, the ports, labels and sharing key that do parse; no
 * requested IP, no pool hint. Never fails.
 */
export function looseRequest(svc: ServiceLike, namespaceLabels: Record<string, string> = {}): AllocationRequest {
  const meta = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const plain = (v: unknown): Record<string, string> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
      ? (v as Record<string, string>)
      : {};
  const annotations = plain(meta.annotations);
  const ports: ServicePort[] = (Array.isArray(spec.ports) ? spec.ports : []).flatMap((p) => {
    const protocol = (p?.protocol ?? 'TCP') as PortProtocol;
    return typeof p?.port === 'number' &&
      Number.isInteger(p.port) &&
      p.port >= 1 &&
      p.port <= 65535 &&
      PROTOCOLS.includes(protocol)
      ? [{ port: p.port, protocol }]
      : [];
  });
  let families: Family[] = [];
  try {
    families = familiesOf(spec, () => {
      throw new ServiceError('');
    });
  } catch {
    families = ['ipv4', 'ipv6'];
  }
  const request: AllocationRequest = {
    key: `${namespace}/${meta.name ?? ''}`,
    namespace,
    labels: plain(meta.labels),
    namespaceLabels,
    ipFamilyPolicy:
      families.length > 1
        ? 'PreferDualStack'
        : POLICIES.includes(spec.ipFamilyPolicy as IpFamilyPolicy)
          ? (spec.ipFamilyPolicy as IpFamilyPolicy)
          : 'PreferDualStack',
    ipFamilies: families,
    ports,
    requestedIps: [],
    externalTrafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    backendKey: selectorString(plain(spec.selector)),
  };
  const sharing = ANNOTATION_PREFIXES.map((p) => annotations[p + ANNOTATION_ALLOW_SHARED_IP]?.trim()).find((v) => v);
  if (sharing) request.sharingKey = sharing;
  return request;
}

function stringMap(v: unknown, field: string, fail: (m: string) => never): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) fail(`${field} is not a map`);
  for (const [k, x] of Object.entries(v as object)) {
    if (typeof x !== 'string') fail(`${field}["${k}"] is not a string`);
  }
  return v as Record<string, string>;
}

/** spec.ipFamilies ('IPv4'/'IPv6' in the API); else the families of the cluster IPs; else IPv4. */
function familiesOf(spec: NonNullable<ServiceLike['spec']>, fail: (m: string) => never): Family[] {
  const out: Family[] = [];
  if (spec.ipFamilies !== undefined && spec.ipFamilies !== null) {
    if (!Array.isArray(spec.ipFamilies)) fail('spec.ipFamilies is not a list');
    spec.ipFamilies.forEach((f, i) => {
      const fam =
        f === 'IPv4' ? 'ipv4' : f === 'IPv6' ? 'ipv6' : fail(`spec.ipFamilies[${i}] "${f}" is not IPv4 or IPv6`);
      if (!out.includes(fam)) out.push(fam);
    });
  }
  if (out.length === 0) {
    const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
    for (const text of Array.isArray(ips) ? ips : []) {
      const ip = typeof text === 'string' ? parseIp(text) : undefined; // "None" and "" carry no family
      if (ip && !out.includes(ip.family)) out.push(ip.family);
    }
  }
  return out.length > 0 ? out : ['ipv4'];
}

/** The annotation under either prefix; both given with different values is an error. */
function annotation(annotations: Record<string, string>, name: string, fail: (m: string) => never): string | undefined {
  const found: [string, string][] = [];
  for (const p of ANNOTATION_PREFIXES) {
    const v = annotations[p + name];
    if (v !== undefined) found.push([p + name, v]);
  }
  const [first, second] = found;
  if (first && second && first[1].trim() !== second[1].trim()) {
    fail(`annotations ${first[0]}=${quote(first[1])} and ${second[0]}=${quote(second[1])} disagree; keep one`);
  }
  const v = first?.[1].trim();
  return v === '' ? undefined : v;
}

function requestedAddresses(
  specIp: string | undefined,
  annotated: string | undefined,
  fail: (m: string) => never,
): string[] {
  const fromAnnotation =
    annotated === undefined
      ? []
      : annotated.split(',').map((t) => {
          const ip = canonicalIp(t);
          return ip ?? fail(`${quote(t.trim())} in the loadBalancerIPs annotation is not an IP address`);
        });
  let fromSpec: string[] = [];
  if (specIp !== undefined && specIp !== null && specIp !== '') {
    if (typeof specIp !== 'string') fail('spec.loadBalancerIP is not a string');
    const ip = canonicalIp(specIp);
    fromSpec = [ip ?? fail(`spec.loadBalancerIP ${quote(String(specIp))} is not an IP address`)];
  }
  if (fromSpec.length > 0 && fromAnnotation.length > 0) {
    const same = fromSpec.length === fromAnnotation.length && fromSpec.every((ip) => fromAnnotation.includes(ip));
    if (!same) {
      fail(
        `spec.loadBalancerIP ${quote(String(specIp))} and the loadBalancerIPs annotation ${quote(annotated ?? '')} disagree; use only the annotation`,
      );
    }
    return fromAnnotation;
  }
  return fromAnnotation.length > 0 ? fromAnnotation : fromSpec;
}

/** The selector as Kubernetes prints it (labels.Set.String): sorted `k=v` joined by commas. */
export function selectorString(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k]}`)
    .join(',');
}
