// The one internal configuration model. Both the legacy MetalLB ConfigMap and the metallb.io CRDs parse
// into it; everything downstream (allocator, controller, speaker) reads only this.

import type { Family } from '../net/family.ts';

/** How a legacy pool is announced. CRD pools have no protocol of their own: advertisements decide. */
export type Protocol = 'layer2' | 'bgp';

/** An inclusive range of addresses of one family; `text` is how the user wrote it (CIDR or first-last). */
export interface IpRange {
  family: Family;
  first: bigint;
  last: bigint;
  text: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** A Kubernetes label selector. An empty selector (no labels, no expressions) matches everything. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export interface ServiceAllocation {
  /** Lower number = higher priority; undefined sorts after every numbered pool (MetalLB semantics). */
  priority?: number;
  namespaces: string[];
  namespaceSelectors: LabelSelector[];
  serviceSelectors: LabelSelector[];
}

export interface Pool {
  name: string;
  /** Set for legacy pools; for CRD pools derived from which advertisements select the pool. */
  protocols: Protocol[];
  ranges: IpRange[];
  autoAssign: boolean;
  avoidBuggyIPs: boolean;
  serviceAllocation?: ServiceAllocation;
  /** metadata.labels of the IPAddressPool (for ipAddressPoolSelectors); {} for legacy pools. */
  labels: Record<string, string>;
}

export type Community =
  | { kind: 'standard'; value: number } // 32 bits: high 16 = AS, low 16 = value
  | { kind: 'large'; globalAdmin: number; localData1: number; localData2: number };

export interface BgpAdvertisement {
  name: string;
  /** Names of the pools this advertisement covers (selectors already resolved). */
  pools: string[];
  aggregationLength: number; // default 32
  aggregationLengthV6: number; // default 128
  localPref?: number;
  communities: Community[];
  /** Peer names; empty = all peers. */
  peers: string[];
  nodeSelectors: LabelSelector[];
}

export interface L2Advertisement {
  name: string;
  pools: string[];
  nodeSelectors: LabelSelector[];
  interfaces: string[];
}

export interface SecretRef {
  name: string;
  namespace?: string;
}

export interface Peer {
  name: string;
  myASN: number;
  peerASN: number;
  peerAddress: string;
  peerPort: number; // default 179
  sourceAddress?: string;
  routerID?: string;
  holdTime: number; // seconds, default 90; 0 disables keepalives
  keepaliveTime: number; // seconds, default holdTime / 3
  password?: string;
  passwordSecret?: SecretRef;
  bfdProfile?: string;
  ebgpMultiHop: boolean;
  nodeSelectors: LabelSelector[];
  vrf?: string;
}

export interface BfdProfile {
  name: string;
  receiveInterval: number; // ms, default 300
  transmitInterval: number; // ms, default 300
  detectMultiplier: number; // default 3
  echoInterval: number; // ms, default 50
  echoMode: boolean;
  passiveMode: boolean;
  minimumTtl: number; // default 254
}

export interface Config {
  /** In the order written (legacy) or by name (CRDs). */
  pools: Pool[];
  bgpAdvertisements: BgpAdvertisement[];
  l2Advertisements: L2Advertisement[];
  peers: Peer[];
  bfdProfiles: BfdProfile[];
  /** Community aliases (legacy `bgp-communities` or Community CRDs), already validated. */
  communityAliases: Record<string, Community>;
}

/** One located problem: `<where>:<path>: <message>`. */
export interface ConfigProblem {
  /** File name or Kubernetes object (e.g. `config.yaml` or `IPAddressPool/ferrolb-system/pool-a`). */
  where: string;
  /** Dotted path inside it, e.g. `address-pools[0].addresses[1]`. */
  path: string;
  message: string;
}

export type ParseResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

export function formatProblem(p: ConfigProblem): string {
  return `${p.where}:${p.path}: ${p.message}`;
}
