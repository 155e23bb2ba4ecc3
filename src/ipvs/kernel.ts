// The kernel side of the syncer: read the state (dummy interface addresses, `ipvsadm -Sn` or `-Ln --exact`,
// `ipset save`, keeping FerroLB's sets) into the plan's model, and apply a plan as a few batches, in an order that
// keeps ownership provable after a crash at any point: sets and addresses first, then IPVS, then member
// deletions, then address deletions (an address is the proof that its virtual servers are FerroLB's).
import type { CommandRunner } from './command-runner.ts';
import { mustRun } from './command-runner.ts';
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
}

export async function interfaceInfo(r: CommandRunner, iface: string): Promise<InterfaceInfo> {
  const res = await r.run('ip', ['-d', '-o', 'link', 'show', 'dev', iface]);
  if (res.code !== 0) return { exists: false, dummy: false, owned: false };
  return {
    exists: true,
    dummy: /\sdummy\s/.test(res.stdout),
    owned: new RegExp(`\\salias ${INTERFACE_ALIAS}(\\s|$)`).test(res.stdout),
  };
}

export interface ReadResult {
  state: KernelState;
  problems: string[];
}

/** Reads the kernel state. `withCounts` reads `ipvsadm -Ln --exact` (connection counts) instead of `-Sn`. */
export async function readKernel(r: CommandRunner, iface: string, withCounts: boolean): Promise<ReadResult> {
  const state = emptyKernelState();
  const problems: string[] = [];
  const info = await interfaceInfo(r, iface);
  const [addr, ipvs, sets] = await Promise.all([
    info.exists ? mustRun(r, 'ip', ['-o', 'addr', 'show', 'dev', iface]) : Promise.resolve(''),
    mustRun(r, 'ipvsadm', withCounts ? ['-Ln', '--exact'] : ['-Sn']),
    mustRun(r, 'ipset', ['save']),
  ]);
  state.addresses = parseIpAddr(addr, info.owned);
  const parsed = withCounts ? parseIpvsadmList(ipvs) : parseIpvsadmSave(ipvs);
  state.services = parsed.services;
  problems.push(...parsed.problems);
  const s = parseIpsetSave(sets);
  state.sets = s.sets;
  problems.push(...s.problems);
  return { state, problems };
}

/** Applies a plan; throws CommandError naming the tool that failed (the caller re-reads the kernel). */
export async function applyToKernel(r: CommandRunner, iface: string, p: Plan): Promise<void> {
  const adds = renderIpsetAdds(p);
  const addrAdds = renderAddressAdds(p, iface);
  // Independent of each other, both needed before IPVS: run them side by side.
  await Promise.all([
    adds ? mustRun(r, 'ipset', ['restore', '-exist'], adds) : undefined,
    addrAdds ? mustRun(r, 'ip', ['-batch', '-'], addrAdds) : undefined,
  ]);
  const ipvs = renderIpvsBatch(p);
  if (ipvs) await mustRun(r, 'ipvsadm', ['-R'], ipvs);
  const dels = renderIpsetDels(p);
  if (dels) await mustRun(r, 'ipset', ['restore', '-exist'], dels);
  const addrDels = renderAddressDels(p, iface);
  if (addrDels) await mustRun(r, 'ip', ['-batch', '-'], addrDels);
}
