// Checks an AllocationRequest and turns it into the allocator's working form. Callers may be plain
// JavaScript (CLI, tests), so every field is checked and a bad one comes back as an InvalidRequest error
// naming the field, never as an exception.
import type { Family } from '../net/family.ts';
import { formatIp, parseIp, type Ip } from '../net/ip.ts';
import { allocationError, familyName } from './errors.ts';
import type { AllocationError, AllocationRequest, IpFamilyPolicy } from './types.ts';

/** single: exactly one family; prefer: both if one pool can, else one; require: both or nothing. */
export type FamilyMode = 'single' | 'prefer' | 'require';

const EMPTY: readonly never[] = Object.freeze([]);
const FAMILY_LISTS: ReadonlyMap<string, readonly Family[]> = new Map([
  ['ipv4', Object.freeze(['ipv4'] as Family[])],
  ['ipv6', Object.freeze(['ipv6'] as Family[])],
  ['ipv4,ipv6', Object.freeze(['ipv4', 'ipv6'] as Family[])],
  ['ipv6,ipv4', Object.freeze(['ipv6', 'ipv4'] as Family[])],
]);
/** Port ids are interned: thousands of services use the same few ports. */
const PORT_IDS = new Map<string, string>();

export interface NormalizedRequest {
  request: AllocationRequest;
  key: string;
  namespace: string;
  labels: Record<string, string>;
  namespaceLabels: Record<string, string>;
  mode: FamilyMode;
  /** The wanted families, primary first: one for single, two for prefer/require. */
  families: readonly Family[];
  /** `PROTOCOL/port`, deduplicated. */
  ports: readonly string[];
  /** Requested addresses, primary family first; empty when none were requested. */
  requested: readonly Ip[];
  requestedText: readonly string[];
  poolHint: string | undefined;
  /** undefined when the service does not allow sharing. */
  sharingKey: string | undefined;
  /** What services sharing an address must agree on: `Cluster`, or `Local:` + the selector. */
  backend: string;
}

const POLICIES: readonly IpFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

export function otherFamily(f: Family): Family {
  return f === 'ipv4' ? 'ipv6' : 'ipv4';
}

function isStringRecord(v: unknown): v is Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] !== 'string') return false;
  return true;
}

export function normalizeRequest(req: AllocationRequest): NormalizedRequest | AllocationError {
  const bad = (msg: string): AllocationError => allocationError('InvalidRequest', msg);
  if (typeof req !== 'object' || req === null) return bad('allocation request is not an object');
  if (typeof req.key !== 'string' || req.key === '')
    return bad('allocation request has no key (want "namespace/name")');
  const key = req.key;
  const slash = key.indexOf('/');
  const namespace =
    typeof req.namespace === 'string' && req.namespace !== '' ? req.namespace : slash > 0 ? key.slice(0, slash) : '';
  const labels = req.labels ?? {};
  const namespaceLabels = req.namespaceLabels ?? {};
  if (!isStringRecord(labels)) return bad(`${key}: labels must be a map of strings`);
  if (!isStringRecord(namespaceLabels)) return bad(`${key}: namespaceLabels must be a map of strings`);

  const policy = req.ipFamilyPolicy ?? 'SingleStack';
  if (!POLICIES.includes(policy))
    return bad(`${key}: ipFamilyPolicy "${String(policy)}" is not one of ${POLICIES.join(', ')}`);
  const rawFamilies = req.ipFamilies ?? [];
  if (!Array.isArray(rawFamilies)) return bad(`${key}: ipFamilies must be a list`);
  const given: Family[] = [];
  for (let i = 0; i < rawFamilies.length; i++) {
    const f = rawFamilies[i];
    if (f !== 'ipv4' && f !== 'ipv6') return bad(`${key}: ipFamilies[${i}] "${String(f)}" is not ipv4 or ipv6`);
    if (!given.includes(f)) given.push(f);
  }
  const primary: Family = given[0] ?? 'ipv4';
  let mode: FamilyMode;
  let families: Family[];
  if (policy === 'SingleStack') {
    mode = 'single';
    families = [primary];
  } else if (policy === 'RequireDualStack') {
    mode = 'require';
    families = [primary, given[1] ?? otherFamily(primary)];
  } else if (given.length >= 2) {
    mode = 'prefer';
    families = [primary, given[1] as Family];
  } else {
    // PreferDualStack on a single-stack cluster: Kubernetes gives one family, so does MetalLB.
    mode = 'single';
    families = [primary];
  }

  const rawPorts = req.ports ?? [];
  if (!Array.isArray(rawPorts)) return bad(`${key}: ports must be a list`);
  const ports: string[] = [];
  for (let i = 0; i < rawPorts.length; i++) {
    const p = rawPorts[i];
    const port = p?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      return bad(`${key}: ports[${i}].port ${String(port)} is not a port number 0..65535`);
    }
    const protocol = p?.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol))
      return bad(`${key}: ports[${i}].protocol "${String(protocol)}" is not TCP, UDP or SCTP`);
    const raw = `${protocol}/${port}`;
    let id = PORT_IDS.get(raw);
    if (id === undefined) {
      id = raw;
      if (PORT_IDS.size < 200_000) PORT_IDS.set(raw, raw);
    }
    if (!ports.includes(id)) ports.push(id);
  }

  const rawRequested = req.requestedIps ?? [];
  if (!Array.isArray(rawRequested)) return bad(`${key}: requestedIps must be a list`);
  const parsed: readonly Ip[] | AllocationError =
    rawRequested.length === 0 ? EMPTY : parseAddresses(key, rawRequested, 'requested IP');
  if ('code' in parsed) return parsed;
  const requested = parsed.length === 0 ? EMPTY : sortByFamilies(parsed, families);

  const poolHint = typeof req.poolHint === 'string' && req.poolHint !== '' ? req.poolHint : undefined;
  const sharingKey = typeof req.sharingKey === 'string' && req.sharingKey !== '' ? req.sharingKey : undefined;
  const etp = req.externalTrafficPolicy ?? 'Cluster';
  if (etp !== 'Cluster' && etp !== 'Local')
    return bad(`${key}: externalTrafficPolicy "${String(etp)}" is not Cluster or Local`);
  const backend = etp === 'Local' ? `Local:${req.backendKey ?? ''}` : 'Cluster';

  return {
    request: req,
    key,
    namespace,
    labels,
    namespaceLabels,
    mode,
    families: FAMILY_LISTS.get(families.join(',')) ?? families,
    ports: ports.length === 0 ? EMPTY : ports,
    requested,
    requestedText: requested.length === 0 ? EMPTY : requested.map((ip) => textOf(ip)),
    poolHint,
    sharingKey,
    backend,
  };
}

/** Parses addresses, at most one per family; errors name the offending text. */
export function parseAddresses(key: string, texts: readonly unknown[], what: string): Ip[] | AllocationError {
  const out: Ip[] = [];
  for (const t of texts) {
    const ip = typeof t === 'string' ? parseIp(t) : undefined;
    if (!ip) return allocationError('RequestedIpInvalid', `${key}: ${what} "${String(t)}" is not an IP address`);
    const same = out.find((o) => o.family === ip.family);
    if (same) {
      if (same.value === ip.value) continue;
      return allocationError(
        'FamilyMismatch',
        `${key}: at most one ${what} per family, got two ${familyName(ip.family)} addresses (${textOf(same)} and ${textOf(ip)})`,
      );
    }
    out.push(ip);
  }
  return out;
}

/** Orders addresses as the service's families (primary first); others keep their order at the end. */
export function sortByFamilies(ips: readonly Ip[], families: readonly Family[]): Ip[] {
  const rank = (f: Family): number => {
    const i = families.indexOf(f);
    return i < 0 ? families.length : i;
  };
  return [...ips].sort((a, b) => rank(a.family) - rank(b.family));
}

function textOf(ip: Ip): string {
  return formatIp(ip.family, ip.value);
}
