// Services and EndpointSlices as Kubernetes objects (from a file or the API) → the plan's plain inputs.
// Pure; every object that cannot be used is reported with where and why, and the others are still used.
// Only Services of type LoadBalancer with ingress IPs in their status matter to the syncer.
import { PROTOCOLS } from './types.ts';
import type { DesiredInput, EndpointInput, EndpointSliceInput, Protocol, ServiceInput } from './types.ts';

export interface KubeProblem {
  /** e.g. `Service shop/web` or `EndpointSlice shop/web-abc`. */
  object: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function protocolOf(v: unknown): Protocol | undefined {
  const p = v === undefined ? 'TCP' : v;
  return PROTOCOLS.find((x) => x === p);
}

function validPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

export function serviceFromKube(o: Obj, problems: KubeProblem[]): ServiceInput | undefined {
  const meta = isObj(o.metadata) ? o.metadata : {};
  const spec = isObj(o.spec) ? o.spec : {};
  const status = isObj(o.status) ? o.status : {};
  const ns = str(meta.namespace) ?? 'default';
  const name = str(meta.name);
  const where = `Service ${ns}/${name ?? '?'}`;
  if (!name) {
    problems.push({ object: where, message: 'metadata.name is missing' });
    return undefined;
  }
  if (spec.type !== 'LoadBalancer') return undefined;
  const ports: ServiceInput['ports'] = [];
  arr(spec.ports).forEach((p, i) => {
    if (!isObj(p)) return;
    const protocol = protocolOf(p.protocol);
    if (!protocol || !validPort(p.port)) {
      problems.push({
        object: where,
        message: `spec.ports[${i}]: ${!protocol ? `protocol ${String(p.protocol)} is not TCP, UDP or SCTP` : `port ${String(p.port)} is not 1..65535`}; skipped`,
      });
      return;
    }
    ports.push({ name: str(p.name) ?? '', protocol, port: p.port });
  });
  const ingress = isObj(status.loadBalancer) ? arr(status.loadBalancer.ingress) : [];
  const ingressIPs = ingress.flatMap((i) => (isObj(i) && typeof i.ip === 'string' ? [i.ip] : []));
  const affinityCfg =
    isObj(spec.sessionAffinityConfig) && isObj(spec.sessionAffinityConfig.clientIP)
      ? spec.sessionAffinityConfig.clientIP
      : {};
  const timeout = affinityCfg.timeoutSeconds;
  if (
    timeout !== undefined &&
    !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= 1 && timeout <= 86_400)
  ) {
    problems.push({
      object: where,
      message: `spec.sessionAffinityConfig.clientIP.timeoutSeconds ${String(timeout)} is not 1..86400; using the default`,
    });
  }
  const annotations: Record<string, string> = {};
  if (isObj(meta.annotations))
    for (const [k, v] of Object.entries(meta.annotations)) if (typeof v === 'string') annotations[k] = v;
  return {
    namespace: ns,
    name,
    ingressIPs,
    ports,
    externalTrafficPolicy: spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    sessionAffinity: spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None',
    sessionAffinityTimeoutSeconds:
      typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= 1 && timeout <= 86_400
        ? timeout
        : undefined,
    loadBalancerSourceRanges: arr(spec.loadBalancerSourceRanges).flatMap((r) => (typeof r === 'string' ? [r] : [])),
    annotations,
  };
}

export function endpointSliceFromKube(o: Obj, problems: KubeProblem[]): EndpointSliceInput | undefined {
  const meta = isObj(o.metadata) ? o.metadata : {};
  const ns = str(meta.namespace) ?? 'default';
  const where = `EndpointSlice ${ns}/${str(meta.name) ?? '?'}`;
  const labels = isObj(meta.labels) ? meta.labels : {};
  const serviceName = str(labels['kubernetes.io/service-name']);
  if (!serviceName) {
    problems.push({ object: where, message: 'no kubernetes.io/service-name label; skipped' });
    return undefined;
  }
  const addressType = o.addressType;
  if (addressType !== 'IPv4' && addressType !== 'IPv6' && addressType !== 'FQDN') {
    problems.push({ object: where, message: `addressType ${String(addressType)} is not IPv4, IPv6 or FQDN; skipped` });
    return undefined;
  }
  const ports: EndpointSliceInput['ports'] = [];
  arr(o.ports).forEach((p, i) => {
    if (!isObj(p)) return;
    const protocol = protocolOf(p.protocol);
    if (!protocol || !validPort(p.port)) {
      problems.push({ object: where, message: `ports[${i}]: not a TCP/UDP/SCTP port 1..65535; skipped` });
      return;
    }
    ports.push({ name: str(p.name) ?? '', protocol, port: p.port });
  });
  const endpoints: EndpointInput[] = [];
  for (const e of arr(o.endpoints)) {
    if (!isObj(e)) continue;
    const c = isObj(e.conditions) ? e.conditions : {};
    const b = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
    endpoints.push({
      addresses: arr(e.addresses).flatMap((a) => (typeof a === 'string' ? [a] : [])),
      ready: b(c.ready),
      serving: b(c.serving),
      terminating: b(c.terminating),
      nodeName: str(e.nodeName),
    });
  }
  return { namespace: ns, serviceName, addressType, ports, endpoints };
}

/** Picks Services and EndpointSlices out of a list of objects (other kinds are ignored). */
export function desiredFromKube(objects: unknown[]): { input: DesiredInput; problems: KubeProblem[] } {
  const problems: KubeProblem[] = [];
  const input: DesiredInput = { services: [], endpointSlices: [] };
  for (const o of objects) {
    if (!isObj(o)) continue;
    if (o.kind === 'Service') {
      const s = serviceFromKube(o, problems);
      if (s) input.services.push(s);
    } else if (o.kind === 'EndpointSlice') {
      const s = endpointSliceFromKube(o, problems);
      if (s) input.endpointSlices.push(s);
    }
  }
  return { input, problems };
}
