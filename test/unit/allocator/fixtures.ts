// Builders for allocator tests: pools from CIDR or first-last text, and requests with defaults.
import type { IpRange, LabelSelector, Pool, ServiceAllocation } from '../../../src/config/model.ts';
import type { AllocationRequest } from '../../../src/allocator/types.ts';
import { parseCidr, parseIp } from '../../../src/net/ip.ts';

export function range(text: string): IpRange {
  if (text.includes('-')) {
    const [a, b] = text.split('-').map((t) => parseIp(t));
    if (!a || !b || a.family !== b.family) throw new Error(`bad test range ${text}`);
    return { family: a.family, first: a.value, last: b.value, text };
  }
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return { family: c.family, first: c.first, last: c.last, text };
}

export interface PoolOptions {
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  serviceAllocation?: Partial<ServiceAllocation>;
}

export function pool(name: string, ranges: string[], opts: PoolOptions = {}): Pool {
  const p: Pool = {
    name,
    protocols: ['layer2'],
    ranges: ranges.map(range),
    autoAssign: opts.autoAssign ?? true,
    avoidBuggyIPs: opts.avoidBuggyIPs ?? false,
    labels: {},
  };
  if (opts.serviceAllocation) {
    p.serviceAllocation = { namespaces: [], namespaceSelectors: [], serviceSelectors: [], ...opts.serviceAllocation };
  }
  return p;
}

export function selector(matchLabels: Record<string, string>): LabelSelector {
  return { matchLabels, matchExpressions: [] };
}

/** A request with test defaults: SingleStack IPv4, TCP/80, Cluster; namespace from the key. */
export function svc(key: string, extra: Partial<AllocationRequest> = {}): AllocationRequest {
  return {
    key,
    namespace: key.split('/')[0] ?? 'default',
    labels: {},
    namespaceLabels: {},
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['ipv4'],
    ports: [{ port: 80, protocol: 'TCP' }],
    requestedIps: [],
    externalTrafficPolicy: 'Cluster',
    ...extra,
  };
}

export const DUAL: Partial<AllocationRequest> = { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['ipv4', 'ipv6'] };
export const PREFER: Partial<AllocationRequest> = { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['ipv4', 'ipv6'] };
export const V6: Partial<AllocationRequest> = { ipFamilies: ['ipv6'] };
