// The desired kernel state from Services and EndpointSlices (pure). Per LB IP × port × protocol one virtual
// server (masquerading, the Service's scheduler, ClientIP affinity as persistence), its real servers from
// the serving endpoints (only this node's for externalTrafficPolicy: Local), and the ipset members kube-proxy
// would add for a LoadBalancer Service. Problems (bad IPs, port clashes) are returned, never thrown: the
// rest of the state is still built.
import { formatIp, parseIp } from '../../net/ip.ts';
import { canonicalIpMemo as canonicalIp, parseCidrMemo as parseCidr } from './ip-memo.ts';
import { ipPortEntry, setName, setSpec, SET_ROLES } from './ipsets.ts';
import { familyOf, realKey, vsKey } from './keys.ts';
import { serviceScheduler } from './scheduler.ts';
import type {
  DesiredInput,
  EndpointSliceInput,
  Family,
  IpvsService,
  KernelState,
  NodeContext,
  RealServer,
  ServiceInput,
  ServicePortInput,
} from './types.ts';
import { emptyKernelState } from './types.ts';

/** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export interface DesiredProblem {
  /** `namespace/name` of the Service or EndpointSlice owner. */
  service: string;
  message: string;
}

export interface DesiredState {
  state: KernelState;
  /** Which Service each virtual server belongs to (for logs and the CLI's report). */
  owners: Map<string, string>;
  problems: DesiredProblem[];
}

function sliceKey(ns: string, name: string): string {
  return `${ns}/${name}`;
}

/** Endpoint addresses to use for one Service port and family, following kube-proxy's endpoint rules. */
export function pickEndpoints(
  slices: EndpointSliceInput[],
  port: ServicePortInput,
  family: Family,
  localOnly: boolean,
  nodeName: string,
): { address: string; port: number }[] {
  const ready: { address: string; port: number }[] = [];
  const terminating: { address: string; port: number }[] = [];
  for (const slice of slices) {
    if (slice.addressType !== (family === 'ipv4' ? 'IPv4' : 'IPv6')) continue;
    const sp = slice.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
    if (!sp) continue;
    for (const ep of slice.endpoints) {
      if (localOnly && ep.nodeName !== nodeName) continue;
      const first = ep.addresses[0] === undefined ? undefined : canonicalIp(ep.addresses[0]);
      if (!first || familyOf(first) !== family) continue;
      const isReady = ep.ready ?? true;
      const serving = ep.serving ?? isReady;
      const term = ep.terminating ?? false;
      // Ready endpoints carry traffic; serving-but-terminating ones only when no endpoint is ready
      // (kube-proxy's fallback, so a rollout of the last pod does not black-hole new connections).
      if (isReady && !term) ready.push({ address: first, port: sp.port });
      else if (serving && term) terminating.push({ address: first, port: sp.port });
    }
  }
  return ready.length > 0 ? ready : terminating;
}

/** The Service's source ranges, parsed once (problems reported once), as canonical CIDRs per family. */
function sourceRanges(svc: ServiceInput, problems: DesiredProblem[]): Record<Family, string[] | 'all'> {
  const out: Record<Family, string[] | 'all'> = { ipv4: [], ipv6: [] };
  for (const r of svc.loadBalancerSourceRanges) {
    const c = parseCidr(r);
    if (typeof c === 'string') {
      problems.push({ service: sliceKey(svc.namespace, svc.name), message: `loadBalancerSourceRanges: ${c}` });
      continue;
    }
    const list = out[c.family];
    if (list === 'all') continue;
    // ipset cannot hold a /0 net; a /0 range allows everyone, so the LB IP is simply not firewalled.
    if (c.prefixLength === 0) out[c.family] = 'all';
    else list.push(`${formatIp(c.family, c.first)}/${c.prefixLength}`);
  }
  return out;
}

function rangeHolds(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  return typeof c !== 'string' && a !== undefined && a.family === c.family && a.value >= c.first && a.value <= c.last;
}

export function buildDesired(input: DesiredInput, node: NodeContext): DesiredState {
  const state = emptyKernelState();
  const owners = new Map<string, string>();
  const problems: DesiredProblem[] = [];
  for (const f of ['ipv4', 'ipv6'] as const) {
    for (const role of SET_ROLES) state.sets.set(setName(role, f), { ...setSpec(role, f), entries: new Set() });
  }
  const slicesBySvc = new Map<string, EndpointSliceInput[]>();
  for (const s of input.endpointSlices) {
    const k = sliceKey(s.namespace, s.serviceName);
    const list = slicesBySvc.get(k);
    if (list) list.push(s);
    else slicesBySvc.set(k, [s]);
  }
  // Services in a stable order, so which of two clashing Services wins does not depend on input order.
  const services = [...input.services].sort((a, b) =>
    a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1,
  );
  for (const svc of services) {
    const id = sliceKey(svc.namespace, svc.name);
    const sched = serviceScheduler(svc.annotations, node.defaultScheduler);
    if (sched.problem) problems.push({ service: id, message: sched.problem });
    const persistence =
      svc.sessionAffinity === 'ClientIP'
        ? (svc.sessionAffinityTimeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
        : undefined;
    const local = svc.externalTrafficPolicy === 'Local';
    const slices = slicesBySvc.get(id) ?? [];
    const rangesByFamily = sourceRanges(svc, problems);
    for (const rawIp of svc.ingressIPs) {
      const ip = canonicalIp(rawIp);
      if (!ip) {
        problems.push({ service: id, message: `LoadBalancer IP "${rawIp}" is not an IP address; skipped` });
        continue;
      }
      const family = familyOf(ip);
      const ranges = rangesByFamily[family];
      for (const port of svc.ports) {
        const key = vsKey(port.protocol, ip, port.port);
        const prior = owners.get(key);
        if (prior !== undefined) {
          if (prior !== id)
            problems.push({ service: id, message: `${key} is already programmed for ${prior}; skipped` });
          continue;
        }
        owners.set(key, id);
        const reals = new Map<string, RealServer>();
        for (const ep of pickEndpoints(slices, port, family, local, node.nodeName)) {
          reals.set(realKey(ep.address, ep.port), { address: ep.address, port: ep.port, weight: 1 });
        }
        const service: IpvsService = {
          vs: {
            protocol: port.protocol,
            address: ip,
            family,
            port: port.port,
            scheduler: sched.scheduler,
            persistence,
          },
          reals,
        };
        state.services.set(key, service);
        state.addresses.set(ip, { address: ip, family, owned: true });
        const entry = ipPortEntry(ip, port.protocol, port.port);
        state.sets.get(setName('lb', family))!.entries.add(entry);
        if (local) state.sets.get(setName('local', family))!.entries.add(entry);
        if (svc.loadBalancerSourceRanges.length > 0 && ranges !== 'all') {
          state.sets.get(setName('fw', family))!.entries.add(entry);
          for (const r of ranges) state.sets.get(setName('sourceCidr', family))!.entries.add(`${entry},${r}`);
          if (ranges.some((r) => node.nodeIPs.some((n) => rangeHolds(r, n)))) {
            state.sets.get(setName('sourceIp', family))!.entries.add(`${entry},${ip}`);
          }
        }
      }
    }
  }
  return { state, owners, problems };
}
