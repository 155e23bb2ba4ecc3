// Plain request and result types of the allocator. No Kubernetes types: the controller and the CLI turn
// a Service into an AllocationRequest (see service-request.ts).
import type { Family } from '../net/family.ts';

export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  port: number;
  protocol: PortProtocol;
}

export interface AllocationRequest {
  /** `namespace/name`. */
  key: string;
  namespace: string;
  /** Service labels (for serviceAllocation.serviceSelectors). */
  labels: Record<string, string>;
  /** Labels of the Service's namespace (for serviceAllocation.namespaceSelectors); {} if unknown. */
  namespaceLabels: Record<string, string>;
  ipFamilyPolicy: IpFamilyPolicy;
  /** spec.ipFamilies in order; the first is the primary family. */
  ipFamilies: Family[];
  ports: ServicePort[];
  /** From spec.loadBalancerIP or the loadBalancerIPs annotation; at most one per family. */
  requestedIps: string[];
  /** The address-pool annotation. */
  poolHint?: string;
  /** The allow-shared-ip annotation. */
  sharingKey?: string;
  /** For externalTrafficPolicy Local: services sharing an IP must have the same backends (selector). */
  backendKey?: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
}

export interface Assignment {
  key: string;
  pool: string;
  /** One address per family, primary family first, in canonical text form. */
  ips: string[];
}

/** Stable reason codes: metrics and Events use `code`, users read `message`. */
export type AllocationErrorCode =
  | 'NoSuchPool'
  | 'PoolExhausted'
  | 'NoPoolAvailable'
  | 'RequestedIpNotInPool'
  | 'RequestedIpInUse'
  | 'RequestedIpInvalid'
  | 'FamilyMismatch'
  | 'DualStackUnavailable'
  | 'SharingKeyMismatch'
  | 'PortConflict'
  | 'BackendMismatch'
  | 'PoolNotAllowed'
  /** The request itself is malformed (bad port, unknown family or policy, no key). */
  | 'InvalidRequest'
  /** restore(): the addresses in the Service's status are not the ones it now requests. */
  | 'RequestedIpChanged';

export interface AllocationError {
  code: AllocationErrorCode;
  message: string;
}

export type AllocationResult =
  | { ok: true; assignment: Assignment }
  /**
   * `kept`: the service's request changed and cannot be met, so it keeps the addresses it already held
   * (bad input never takes a working IP away); absent when it holds nothing.
   */
  | { ok: false; error: AllocationError; kept?: Assignment };

export interface PoolUsage {
  pool: string;
  family: Family;
  assigned: number;
  /** Addresses still free (after avoid-buggy-ips); bigint because an IPv6 pool can be huge. */
  available: bigint;
}
