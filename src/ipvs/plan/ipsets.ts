// kube-proxy's LoadBalancer ipsets (names, types, entry spelling), so tools and people who know kube-proxy's
// IPVS mode read FerroLB's state the same way. Entries are kept in one canonical text per member:
//   hash:ip,port      192.0.2.1,tcp:80
//   hash:ip,port,net  192.0.2.1,tcp:80,198.51.100.0/24   (always with /len, also for a host)
//   hash:ip,port,ip   192.0.2.1,tcp:80,192.0.2.1
import { canonicalIp, parseCidr, formatIp } from '../../net/ip.ts';
import type { Family, IpsetSpec, IpsetType, Protocol } from './types.ts';
import { PROTOCOLS } from './types.ts';

export type SetRole = 'lb' | 'local' | 'fw' | 'sourceCidr' | 'sourceIp';

const ROLE_SUFFIX: Record<SetRole, string> = {
  lb: 'LOAD-BALANCER',
  local: 'LOAD-BALANCER-LOCAL',
  fw: 'LOAD-BALANCER-FW',
  sourceCidr: 'LOAD-BALANCER-SOURCE-CIDR',
  sourceIp: 'LOAD-BALANCER-SOURCE-IP',
};
const ROLE_TYPE: Record<SetRole, IpsetType> = {
  lb: 'hash:ip,port',
  local: 'hash:ip,port',
  fw: 'hash:ip,port',
  sourceCidr: 'hash:ip,port,net',
  sourceIp: 'hash:ip,port,ip',
};
export const SET_ROLES: readonly SetRole[] = ['lb', 'local', 'fw', 'sourceCidr', 'sourceIp'];

/** ipset's limit on set names (IPSET_MAXNAMELEN 32, with the terminating NUL). */
export const IPSET_MAX_NAME = 31;

/**
 * KUBE-LOAD-BALANCER… for IPv4, KUBE-6-LOAD-BALANCER… for IPv6, cut to 31 characters as kube-proxy
 * does (so the IPv6 source-CIDR set is KUBE-6-LOAD-BALANCER-SOURCE-CID).
 */
export function setName(role: SetRole, family: Family): string {
  return `KUBE-${family === 'ipv6' ? '6-' : ''}${ROLE_SUFFIX[role]}`.slice(0, IPSET_MAX_NAME);
}

export function setSpec(role: SetRole, family: Family): IpsetSpec {
  return { name: setName(role, family), type: ROLE_TYPE[role], family };
}

/** Every set FerroLB owns, both families. */
export function allSetSpecs(): IpsetSpec[] {
  return (['ipv4', 'ipv6'] as const).flatMap((f) => SET_ROLES.map((r) => setSpec(r, f)));
}

const OWNED_NAMES = new Map(allSetSpecs().map((s) => [s.name, s]));
export function ownedSetSpec(name: string): IpsetSpec | undefined {
  return OWNED_NAMES.get(name);
}

export function ipPortEntry(ip: string, protocol: Protocol, port: number): string {
  return `${ip},${protocol.toLowerCase()}:${port}`;
}

/**
 * Canonical form of an entry as `ipset save` prints it (addresses canonicalised, a host net given its
 * /32 or /128), or a reason it is not a well-formed member of a set of that type.
 */
export function canonicalEntry(type: IpsetType, text: string): string | { error: string } {
  const parts = text.split(',');
  const want = type === 'hash:ip,port' ? 2 : 3;
  if (parts.length !== want) return { error: `"${text}" is not a ${type} member` };
  const ip = canonicalIp(parts[0]!);
  if (!ip) return { error: `"${parts[0]}" is not an IP address` };
  const pp = /^([a-z]+):(\d{1,5})$/.exec(parts[1]!);
  const proto = pp && PROTOCOLS.find((p) => p.toLowerCase() === pp[1]);
  if (!pp || !proto || Number(pp[2]) > 65535) return { error: `"${parts[1]}" is not tcp|udp|sctp:port` };
  let out = ipPortEntry(ip, proto, Number(pp[2]));
  if (type === 'hash:ip,port,ip') {
    const ip2 = canonicalIp(parts[2]!);
    if (!ip2) return { error: `"${parts[2]}" is not an IP address` };
    out += `,${ip2}`;
  } else if (type === 'hash:ip,port,net') {
    const hasLen = parts[2]!.includes('/');
    const c = parseCidr(hasLen ? parts[2]! : `${parts[2]}/${parts[2]!.includes(':') ? 128 : 32}`);
    if (typeof c === 'string') return { error: c };
    out += `,${formatIp(c.family, c.first)}/${c.prefixLength}`;
  }
  return out;
}
