// One-time node setup before the first sync (idempotent, so every start runs it):
//  - the dummy interface (created and marked with the alias "ferrolb"; an existing interface of that name
//    that is not marked is refused — it is someone else's, e.g. kube-proxy's in IPVS mode);
//  - sysctls: strict ARP (arp_ignore=1, arp_announce=2: the node never answers ARP for an LB IP on the dummy
//    interface, which would break the Layer 2 election) and IPVS's conntrack/expiry settings kube-proxy uses;
//  - the firewall for loadBalancerSourceRanges and the masquerade for externalTrafficPolicy Cluster:
//    iptables rules (nftables has no match for ipsets; iptables-nft writes them as nftables rules) in
//    FerroLB's own chains, rewritten atomically with iptables-restore --noflush, over the KUBE-* sets.
import { existsSync, readFile as readFileCb, writeFile as writeFileCb } from 'node:fs';
import { promisify } from 'node:util';
import type { CommandRunner } from './command-runner.ts';
import { mustRun } from './command-runner.ts';
import { INTERFACE_ALIAS, interfaceInfo, type InterfaceInfo } from './kernel.ts';
import { setName } from './plan/index.ts';
import type { Family } from './plan/index.ts';

// node:fs's callback API, not node:fs/promises: loading that module also loads readline, the REPL's
// history and file streams (17 modules of Node's own), memory the speaker keeps for two tiny /proc files.
const readFile = promisify(readFileCb);
const writeFile = promisify(writeFileCb);

export const SYSCTLS: Record<string, string> = {
  // Strict ARP: answer ARP only for addresses on the receiving interface, and announce from one.
  'net/ipv4/conf/all/arp_ignore': '1',
  'net/ipv4/conf/all/arp_announce': '2',
  // Let netfilter see IPVS connections (the masquerade rule needs conntrack).
  'net/ipv4/vs/conntrack': '1',
  // A deleted real server's connections are dropped at once (the client retries to a live one).
  'net/ipv4/vs/expire_nodest_conn': '1',
  // Persistence templates pointing at a weight-0 (draining) server expire, so ClientIP affinity moves on.
  'net/ipv4/vs/expire_quiescent_template': '1',
};

export class SetupError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Refuses an interface of that name that is not FerroLB's (kube-proxy's kube-ipvs0 in IPVS mode). */
export function checkInterfaceOwner(iface: string, info: InterfaceInfo): void {
  if (info.exists && !info.owned) {
    throw new SetupError(
      'interface-not-ours',
      `interface ${iface} exists but is not FerroLB's (no alias "${INTERFACE_ALIAS}"): if kube-proxy runs in IPVS mode ` +
        "here, turn FerroLB's IPVS syncer off; otherwise choose another interface",
    );
  }
}

/**
 * `ip -batch` lines that create the dummy interface (marked with the alias) and set it up: up (IPv6
 * addresses on a down interface are not local), no ARP, no link-local address. '' when it is set up.
 */
export function interfaceSetupBatch(iface: string, info: InterfaceInfo, ipv6 = true): string {
  checkInterfaceOwner(iface, info);
  if (info.ready) return '';
  const lines = info.exists ? [] : [`link add ${iface} type dummy`, `link set dev ${iface} alias ${INTERFACE_ALIAS}`];
  // On a node without IPv6 (ipv6.disable=1) `addrgenmode` is refused, and one failed line stops the batch.
  if (ipv6) lines.push(`link set dev ${iface} addrgenmode none`);
  lines.push(`link set dev ${iface} arp off up`);
  return lines.map((l) => `${l}\n`).join('');
}

/** Creates and sets up the interface on its own (the syncer folds this into its first `ip -batch`). */
export async function ensureInterface(r: CommandRunner, iface: string): Promise<void> {
  const batch = interfaceSetupBatch(iface, await interfaceInfo(r, iface), existsSync('/proc/sys/net/ipv6'));
  if (batch) await mustRun(r, 'ip', ['-batch', '-'], batch);
}

/**
 * Writes SYSCTLS; returns those it could not write (EROFS/EACCES/EPERM: /proc/sys is read-only in an
 * unprivileged container; ENOENT: net/ipv4/vs/* before ip_vs is loaded) so the caller logs them once and
 * goes on. Other errors throw.
 */
export async function applySysctls(procSys = '/proc/sys'): Promise<string[]> {
  const denied: string[] = [];
  for (const [k, v] of Object.entries(SYSCTLS)) {
    try {
      await writeFile(`${procSys}/${k}`, `${v}\n`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM' && code !== 'ENOENT') throw err;
      denied.push(`${k.replaceAll('/', '.')}=${v} (${code})`);
    }
  }
  return denied;
}

/**
 * Why an IPv4 LoadBalancer IP on the dummy interface would make this node answer ARP for it, or undefined
 * when strict ARP is in effect. The kernel uses the larger of `all` and the receiving interface's value,
 * so `all` at arp_ignore ≥ 1 and arp_announce 2 is strict on every interface. (IPv6 needs nothing: the
 * kernel answers Neighbor Solicitations only for addresses on the receiving interface.)
 */
export async function strictArpProblem(procSys = '/proc/sys'): Promise<string | undefined> {
  const read = async (k: string): Promise<number> => Number((await readFile(`${procSys}/${k}`, 'utf8')).trim());
  let ignore: number;
  let announce: number;
  try {
    [ignore, announce] = await Promise.all([
      read('net/ipv4/conf/all/arp_ignore'),
      read('net/ipv4/conf/all/arp_announce'),
    ]);
  } catch (err) {
    return `cannot read the ARP sysctls (${(err as Error).message})`;
  }
  if (ignore >= 1 && announce >= 2) return undefined;
  return (
    `strict ARP is not in effect (net.ipv4.conf.all.arp_ignore=${ignore}, arp_announce=${announce}; ` +
    'need 1 and 2): every node would answer ARP for the LoadBalancer IPs on the dummy interface and break ' +
    "Layer 2. Set them on the node (kube-proxy's strictARP) or let the speaker write them (/proc/sys writable)"
  );
}

/** The mark FerroLB's masquerade uses (kube-proxy's masquerade bit, so either's rule SNATs it the same). */
export const MASQ_MARK = '0x4000';

export function firewallRules(family: Family, masquerade: boolean): string {
  const s = (role: Parameters<typeof setName>[0]): string => setName(role, family);
  const lines = [
    '*filter',
    ':FERROLB-LB-FW - [0:0]',
    '-F FERROLB-LB-FW',
    `-A FERROLB-LB-FW -m set --match-set ${s('sourceCidr')} dst,dst,src -j RETURN`,
    `-A FERROLB-LB-FW -m set --match-set ${s('sourceIp')} dst,dst,src -j RETURN`,
    '-A FERROLB-LB-FW -j DROP',
    'COMMIT',
  ];
  if (masquerade) {
    lines.push(
      '*nat',
      ':FERROLB-LB-MARK - [0:0]',
      '-F FERROLB-LB-MARK',
      `-A FERROLB-LB-MARK -m set --match-set ${s('local')} dst,dst -j RETURN`,
      `-A FERROLB-LB-MARK -j MARK --set-xmark ${MASQ_MARK}/${MASQ_MARK}`,
      ':FERROLB-LB-POST - [0:0]',
      '-F FERROLB-LB-POST',
      `-A FERROLB-LB-POST -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j MASQUERADE`,
      'COMMIT',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The jumps from the built-in chains into FerroLB's (inserted once; `-C` checks for them first). */
export function firewallJumps(family: Family, masquerade: boolean): string[][] {
  const jumps = [
    ['-t', 'filter', 'INPUT', '-m', 'set', '--match-set', setName('fw', family), 'dst,dst', '-j', 'FERROLB-LB-FW'],
  ];
  if (masquerade) {
    jumps.push([
      '-t',
      'nat',
      'PREROUTING',
      '-m',
      'set',
      '--match-set',
      setName('lb', family),
      'dst,dst',
      '-j',
      'FERROLB-LB-MARK',
    ]);
    jumps.push(['-t', 'nat', 'POSTROUTING', '-j', 'FERROLB-LB-POST']);
  }
  return jumps;
}

/** Installs the firewall (needs the sets to exist: call after the first apply created them). */
export async function ensureFirewall(r: CommandRunner, masquerade: boolean): Promise<void> {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const tool = family === 'ipv4' ? 'iptables' : 'ip6tables';
    await mustRun(r, `${tool}-restore`, ['--noflush'], firewallRules(family, masquerade));
    for (const [t, table, chain, ...rule] of firewallJumps(family, masquerade)) {
      const check = await r.run(tool, [t!, table!, '-C', chain!, ...rule]);
      if (check.code !== 0) await mustRun(r, tool, [t!, table!, '-I', chain!, ...rule]);
    }
  }
}
