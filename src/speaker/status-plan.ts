// MetalLB's ServiceL2Status / ServiceBGPStatus objects of this node, planned purely: from what this node
// announces (per Service) and the objects it already wrote, the creates, status updates and deletes that
// leave exactly one object per announced Service and kind, and none for a Service it stopped announcing.
import type { Desired } from './desired.ts';

export const STATUS_LABEL_NODE = 'metallb.io/node';
export const STATUS_LABEL_SERVICE_NAME = 'metallb.io/service-name';
export const STATUS_LABEL_SERVICE_NAMESPACE = 'metallb.io/service-namespace';

export type StatusKind = 'ServiceL2Status' | 'ServiceBGPStatus';

export interface StatusBody {
  node: string;
  serviceName: string;
  serviceNamespace: string;
  interfaces?: { name: string }[];
  peers?: string[];
}

export interface WantedStatus {
  kind: StatusKind;
  status: StatusBody;
}

/** An object read back from the API (only this node's: labelled metallb.io/node=<me>). */
export interface ExistingStatus {
  kind: StatusKind;
  name: string;
  labels: Readonly<Record<string, string>>;
  status?: Partial<StatusBody>;
}

export interface StatusPlan {
  create: WantedStatus[];
  update: { kind: StatusKind; name: string; status: StatusBody }[];
  delete: { kind: StatusKind; name: string }[];
}

const keyOf = (kind: StatusKind, ns: string, name: string): string => `${kind}|${ns}/${name}`;

/**
 * What this node should have written: one object per Service it announces in each mode. `peersOf`
 * gives the BGP peers a Service's IPs go to from this node.
 */
export function wantedStatuses(
  desired: Desired,
  node: string,
  peersOf: (ips: readonly string[]) => string[],
  ipsOf: (serviceKey: string) => readonly string[],
): WantedStatus[] {
  const out: WantedStatus[] = [];
  for (const [key, d] of desired.services) {
    const slash = key.indexOf('/');
    const base = { node, serviceNamespace: key.slice(0, slash), serviceName: key.slice(slash + 1) };
    if (d.layer2?.announcing) {
      const choice = d.layer2.interfaces;
      const interfaces = choice && !choice.all ? choice.names.map((name) => ({ name })) : [];
      out.push({ kind: 'ServiceL2Status', status: { ...base, interfaces } });
    }
    if (d.bgp?.announcing) out.push({ kind: 'ServiceBGPStatus', status: { ...base, peers: peersOf(ipsOf(key)) } });
  }
  return out;
}

function sameStatus(a: Partial<StatusBody> | undefined, b: StatusBody): boolean {
  if (!a) return false;
  const norm = (s: Partial<StatusBody>): string =>
    JSON.stringify([s.node, s.serviceName, s.serviceNamespace, s.interfaces ?? [], s.peers ?? []]);
  return norm(a) === norm(b);
}

export function planStatuses(wanted: readonly WantedStatus[], existing: readonly ExistingStatus[]): StatusPlan {
  const plan: StatusPlan = { create: [], update: [], delete: [] };
  const have = new Map<string, ExistingStatus[]>();
  for (const e of [...existing].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const ns = e.labels[STATUS_LABEL_SERVICE_NAMESPACE];
    const name = e.labels[STATUS_LABEL_SERVICE_NAME];
    if (ns === undefined || name === undefined) {
      plan.delete.push({ kind: e.kind, name: e.name });
      continue;
    }
    const k = keyOf(e.kind, ns, name);
    have.set(k, [...(have.get(k) ?? []), e]);
  }
  const wantedKeys = new Set<string>();
  for (const w of wanted) {
    const k = keyOf(w.kind, w.status.serviceNamespace, w.status.serviceName);
    wantedKeys.add(k);
    const list = have.get(k) ?? [];
    const [keep, ...extra] = list;
    if (!keep) plan.create.push(w);
    else if (!sameStatus(keep.status, w.status)) plan.update.push({ kind: w.kind, name: keep.name, status: w.status });
    for (const x of extra) plan.delete.push({ kind: x.kind, name: x.name });
  }
  for (const [k, list] of have)
    if (!wantedKeys.has(k)) for (const x of list) plan.delete.push({ kind: x.kind, name: x.name });
  return plan;
}

/** The labels MetalLB puts on a status object. */
export function statusLabels(s: StatusBody): Record<string, string> {
  return {
    [STATUS_LABEL_NODE]: s.node,
    [STATUS_LABEL_SERVICE_NAME]: s.serviceName,
    [STATUS_LABEL_SERVICE_NAMESPACE]: s.serviceNamespace,
  };
}
