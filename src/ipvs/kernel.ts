// The kernel side of the syncer: read the state (dummy interface addresses, `ipvsadm -Sn` or `-Ln --exact`,
// `ipset save`, keeping FerroLB's sets) into the plan's model, and apply a plan as a few batches, in an order that
// keeps ownership provable after a crash at any point: sets and addresses first, then IPVS, then member
// deletions, then address deletions (an address is the proof that its virtual servers are FerroLB's).
// The IPVS step goes over generic netlink when the syncer has an IpvsNetlink (netlink.ts), else through
// `ipvsadm -R`; the same changes in the same order either way. Drain polls read the counts over netlink too.
import type { CommandRunner } from './command-runner.ts';
import { mustRun } from './command-runner.ts';
import type { IpvsNetlinkPath } from './netlink.ts';
import {
  emptyKernelState,
  parseIpAddr,
  parseIpsetSave,
  parseIpvsadmList,
  parseIpvsadmSave,
  renderAddressAdds,
  renderAddressDels,
  renderIpsetAdds,
  renderIpsetDels,
  renderIpvsBatch,
  type KernelState,
  type Plan,
} from './plan/index.ts';

/** The interface alias that marks a dummy interface as FerroLB's. */
export const INTERFACE_ALIAS = 'ferrolb';

export interface InterfaceInfo {
  exists: boolean;
  dummy: boolean;
  owned: boolean;
  /** Up, without ARP and without a kernel-made link-local address: what the setup leaves. */
  ready: boolean;
}

/** The interface as `ip -d addr show dev IFACE` describes it (exit code 0: it exists). */
export function parseInterfaceInfo(code: number, text: string): InterfaceInfo {
  if (code !== 0) return { exists: false, dummy: false, owned: false, ready: false };
  const flags = /<([^>]*)>/.exec(text)?.[1]?.split(',') ?? [];
  return {
    exists: true,
    dummy: /\sdummy\s/.test(text),
    owned: new RegExp(`\\salias ${INTERFACE_ALIAS}(\\s|$)`, 'm').test(text),
    // No addrgenmode at all: the node has no IPv6 (ipv6.disable=1), so no link-local address to prevent.
    ready:
      flags.includes('UP') &&
      flags.includes('NOARP') &&
      (/\saddrgenmode none(\s|$)/m.test(text) || !/\saddrgenmode /.test(text)),
  };
}

export async function interfaceInfo(r: CommandRunner, iface: string): Promise<InterfaceInfo> {
  const res = await r.run('ip', ['-d', 'addr', 'show', 'dev', iface]);
  return parseInterfaceInfo(res.code, res.stdout);
}

export interface ReadResult {
  state: KernelState;
  /** The dummy interface as read (the syncer sets it up in its first apply when needed). */
  iface: InterfaceInfo;
  problems: string[];
}

/**
 * Reads the kernel state: one `ip -d addr show` (the interface, its alias and flags, and its addresses),
 * `ipvsadm` and `ipset save`, all three at once. `withCounts` reads `ipvsadm -Ln --exact` (connection
 * counts) instead of `-Sn`.
 */
export async function readKernel(r: CommandRunner, iface: string, withCounts: boolean): Promise<ReadResult> {
  const state = emptyKernelState();
  const problems: string[] = [];
  const [link, ipvs, sets] = await Promise.all([
    r.run('ip', ['-d', 'addr', 'show', 'dev', iface]),
    mustRun(r, 'ipvsadm', withCounts ? ['-Ln', '--exact'] : ['-Sn']),
    mustRun(r, 'ipset', ['save']),
  ]);
  const info = parseInterfaceInfo(link.code, link.stdout);
  state.addresses = info.exists ? parseIpAddr(link.stdout, info.owned) : new Map();
  const parsed = withCounts ? parseIpvsadmList(ipvs) : parseIpvsadmSave(ipvs);
  state.services = parsed.services;
  problems.push(...parsed.problems);
  const s = parseIpsetSave(sets);
  state.sets = s.sets;
  problems.push(...s.problems);
  return { state, iface: info, problems };
}

/** Reads only the virtual servers with their connection counts (what a drain poll needs). */
export async function readIpvsCounts(
  r: CommandRunner,
  ipvs?: IpvsNetlinkPath,
): Promise<{ services: KernelState['services']; problems: string[] }> {
  if (ipvs) return ipvs.readServices(true);
  const parsed = parseIpvsadmList(await mustRun(r, 'ipvsadm', ['-Ln', '--exact']));
  return { services: parsed.services, problems: parsed.problems };
}

/**
 * Applies a plan; throws CommandError naming the tool that failed (the caller re-reads the kernel).
 * `ipSetup`: `ip -batch` lines that create or set up the dummy interface, run before the address adds in
 * the same `ip` process (so a first sync spawns no extra process for the setup). `ipvs`: apply the IPVS
 * changes over netlink instead of `ipvsadm -R` (throws IpvsNetlinkError naming the change and errno).
 */
export async function applyToKernel(
  r: CommandRunner,
  iface: string,
  p: Plan,
  ipSetup = '',
  ipvs?: IpvsNetlinkPath,
): Promise<void> {
  const adds = renderIpsetAdds(p);
  const addrAdds = ipSetup + renderAddressAdds(p, iface);
  // Independent of each other, both needed before IPVS: run them side by side.
  await Promise.all([
    adds ? mustRun(r, 'ipset', ['restore', '-exist'], adds) : undefined,
    addrAdds ? mustRun(r, 'ip', ['-batch', '-'], addrAdds) : undefined,
  ]);
  if (ipvs) await ipvs.apply(p.ipvs);
  else {
    const batch = renderIpvsBatch(p);
    if (batch) await mustRun(r, 'ipvsadm', ['-R'], batch);
  }
  const dels = renderIpsetDels(p);
  if (dels) await mustRun(r, 'ipset', ['restore', '-exist'], dels);
  const addrDels = renderAddressDels(p, iface);
  if (addrDels) await mustRun(r, 'ip', ['-batch', '-'], addrDels);
}
