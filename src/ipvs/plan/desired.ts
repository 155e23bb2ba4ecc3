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
import type { SetMember } from './diff.ts';
import type {
  AddressEntry,
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

/** One virtual server a Service asks for, with its address and set members (before clashes are settled). */
export interface DesiredItem {
  key: string;
  service: IpvsService;
  address: AddressEntry;
  members: SetMember[];
}

/** What one Service contributes, computed from it and its EndpointSlices alone (so it can be memoised). */
export interface ServiceFragment {
  id: string;
  items: DesiredItem[];
  problems: DesiredProblem[];
}

export function serviceFragment(svc: ServiceInput, slices: EndpointSliceInput[], node: NodeContext): ServiceFragment {
  const id = sliceKey(svc.namespace, svc.name);
  const problems: DesiredProblem[] = [];
  const items: DesiredItem[] = [];
  const sched = serviceScheduler(svc.annotations, node.defaultScheduler);
  if (sched.problem) problems.push({ service: id, message: sched.problem });
  const persistence =
    svc.sessionAffinity === 'ClientIP'
      ? (svc.sessionAffinityTimeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
      : undefined;
  const local = svc.externalTrafficPolicy === 'Local';
  const rangesByFamily = sourceRanges(svc, problems);
  for (const rawIp of svc.ingressIPs) {
    const ip = canonicalIp(rawIp);
    if (!ip) {
      problems.push({ service: id, message: `LoadBalancer IP "${rawIp}" is not an IP address; skipped` });
      continue;
    }
    const family = familyOf(ip);
    const ranges = rangesByFamily[family];
    const address: AddressEntry = { address: ip, family, owned: true };
    for (const port of svc.ports) {
      const reals = new Map<string, RealServer>();
      for (const ep of pickEndpoints(slices, port, family, local, node.nodeName)) {
        reals.set(realKey(ep.address, ep.port), { address: ep.address, port: ep.port, weight: 1 });
      }
      const service: IpvsService = {
        vs: { protocol: port.protocol, address: ip, family, port: port.port, scheduler: sched.scheduler, persistence },
        reals,
      };
      const entry = ipPortEntry(ip, port.protocol, port.port);
      const members: SetMember[] = [{ set: setName('lb', family), entry }];
      if (local) members.push({ set: setName('local', family), entry });
      if (svc.loadBalancerSourceRanges.length > 0 && ranges !== 'all') {
        members.push({ set: setName('fw', family), entry });
        for (const r of ranges) members.push({ set: setName('sourceCidr', family), entry: `${entry},${r}` });
        if (ranges.some((r) => node.nodeIPs.some((n) => rangeHolds(r, n)))) {
          members.push({ set: setName('sourceIp', family), entry: `${entry},${ip}` });
        }
      }
      items.push({ key: vsKey(port.protocol, ip, port.port), service, address, members });
    }
  }
  return { id, items, problems };
}

/** EndpointSlices grouped by the Service they belong to (`namespace/service-name`). */
export function slicesByService(input: DesiredInput): Map<string, EndpointSliceInput[]> {
  const out = new Map<string, EndpointSliceInput[]>();
  for (const s of input.endpointSlices) {
    const k = sliceKey(s.namespace, s.serviceName);
    const list = out.get(k);
    if (list) list.push(s);
    else out.set(k, [s]);
  }
  return out;
}

/** Services in a stable order, so which of two clashing Services wins does not depend on input order. */
export function sortServices(services: readonly ServiceInput[]): ServiceInput[] {
  return [...services].sort((a, b) =>
    a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1,
  );
}

/** The desired state from fragments in Service order: the first Service to ask for a virtual server gets it. */
export function assembleDesired(fragments: Iterable<ServiceFragment>): DesiredState {
  const state = emptyKernelState();
  const owners = new Map<string, string>();
  const problems: DesiredProblem[] = [];
  for (const f of ['ipv4', 'ipv6'] as const) {
    for (const role of SET_ROLES) state.sets.set(setName(role, f), { ...setSpec(role, f), entries: new Set() });
  }
  for (const frag of fragments) {
    for (const p of frag.problems) problems.push(p);
    for (const item of frag.items) {
      const prior = owners.get(item.key);
      if (prior !== undefined) {
        if (prior !== frag.id)
          problems.push({ service: frag.id, message: `${item.key} is already programmed for ${prior}; skipped` });
        continue;
      }
      owners.set(item.key, frag.id);
      state.services.set(item.key, item.service);
      state.addresses.set(item.address.address, item.address);
      for (const m of item.members) state.sets.get(m.set)!.entries.add(m.entry);
    }
  }
  return { state, owners, problems };
}

export function buildDesired(input: DesiredInput, node: NodeContext): DesiredState {
  const slices = slicesByService(input);
  return assembleDesired(
    sortServices(input.services).map((svc) =>
      serviceFragment(svc, slices.get(sliceKey(svc.namespace, svc.name)) ?? [], node),
    ),
  );
}
