// The IPVS plan's data model: plain inputs (the parts of Services and EndpointSlices the syncer reads) and
// one kernel model that both the desired state and the observed state (parsed from `ipvsadm -Sn`/`-Ln`,
// `ipset save`, `ip -o addr`) are expressed in, so the diff compares like with like.
import type { Family } from '../../net/family.ts';

export type { Family };
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface ServicePortInput {
  /** spec.ports[].name ('' when the Service has one unnamed port); matched to EndpointSlice port names. */
  name: string;
  protocol: Protocol;
  port: number;
}

export interface ServiceInput {
  namespace: string;
  name: string;
  /** status.loadBalancer.ingress[].ip: the LB IPs the syncer programs. */
  ingressIPs: string[];
  ports: ServicePortInput[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
  /** spec.sessionAffinityConfig.clientIP.timeoutSeconds (Kubernetes default 10800). */
  sessionAffinityTimeoutSeconds?: number;
  loadBalancerSourceRanges: string[];
  annotations: Record<string, string>;
}

export interface EndpointInput {
  addresses: string[];
  /** conditions.ready; Kubernetes says an unset ready means ready. */
  ready?: boolean;
  /** conditions.serving; unset means "same as ready". */
  serving?: boolean;
  terminating?: boolean;
  nodeName?: string;
}

export interface EndpointSlicePortInput {
  name: string;
  protocol: Protocol;
  port: number;
}

export interface EndpointSliceInput {
  namespace: string;
  /** The `kubernetes.io/service-name` label. */
  serviceName: string;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  ports: EndpointSlicePortInput[];
  endpoints: EndpointInput[];
}

export interface DesiredInput {
  services: ServiceInput[];
  endpointSlices: EndpointSliceInput[];
}

/** What the node contributes to the desired state. */
export interface NodeContext {
  /** This node's name: endpoints with this nodeName are local (externalTrafficPolicy: Local). */
  nodeName: string;
  /** Scheduler for Services without a scheduler annotation. */
  defaultScheduler: Scheduler;
  /** The node's own addresses: a loadBalancerSourceRange that holds one lets the LB IP reach itself (kube-proxy's SOURCE-IP set). */
  nodeIPs: string[];
}

export type Scheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'dh' | 'sh' | 'sed' | 'nq' | 'mh';

// ---- the kernel model ----

export interface VirtualServer {
  protocol: Protocol;
  /** Canonical address text. */
  address: string;
  family: Family;
  port: number;
  scheduler: string;
  /** Persistence timeout in seconds (sessionAffinity: ClientIP); undefined: not persistent. */
  persistence?: number;
}

export interface RealServer {
  address: string;
  port: number;
  weight: number;
  /** Connection counts, known only when read from `ipvsadm -Ln --exact`. */
  activeConns?: number;
  inactiveConns?: number;
}

export interface IpvsService {
  vs: VirtualServer;
  /** Keyed by realKey(). */
  reals: Map<string, RealServer>;
}

export type IpsetType = 'hash:ip,port' | 'hash:ip,port,net' | 'hash:ip,port,ip';

export interface IpsetSpec {
  name: string;
  type: IpsetType;
  family: Family;
}

export interface Ipset extends IpsetSpec {
  /** Canonical entry texts (see entries.ts). */
  entries: Set<string>;
}

export interface AddressEntry {
  address: string;
  family: Family;
  /** Carries FerroLB's address protocol marker, so FerroLB put it there and may remove it. */
  owned: boolean;
}

export interface KernelState {
  /** Addresses on the dummy interface, keyed by canonical address. */
  addresses: Map<string, AddressEntry>;
  /** Virtual servers keyed by vsKey(). */
  services: Map<string, IpvsService>;
  /** FerroLB's ipsets (the KUBE-LOAD-BALANCER* family) keyed by name; others are not read. */
  sets: Map<string, Ipset>;
}

export function emptyKernelState(): KernelState {
  return { addresses: new Map(), services: new Map(), sets: new Map() };
}
