// Can this node program IPVS? Asked once before the first sync and then rarely while the answer is no, so
// a node without IPVS (a kernel without ip_vs, an image without ipvsadm, kube-proxy in IPVS mode owning
// the interface) gets one clear message instead of a failed sync every few seconds. Read-only checks:
// `ipvsadm -L --timeout` (talks to the kernel's IPVS; ipvsadm itself asks modprobe for ip_vs),
// `ipset list -n` (the kernel's ip_set), the iptables tools when the firewall or masquerade is on, and
// whether the dummy interface, if it exists, is FerroLB's.
import { interfaceInfo, INTERFACE_ALIAS, type CommandResult, type CommandRunner } from '../ipvs/index.ts';

export type IpvsProbeResult =
  | { available: true }
  | {
      available: false;
      /** What is missing, short and stable (log field, tests): e.g. `ip_vs`, `ipvsadm`, `interface`. */
      missing: string;
      /** What was seen, for the operator. */
      detail: string;
    };

export interface IpvsProbeOptions {
  interface: string;
  /** The iptables tools are needed (firewall or masquerade on). */
  iptables: boolean;
}

const NOT_FOUND = 127;

const firstLines = (r: CommandResult): string =>
  `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 2)
    .join(' | ');

/** The kernel parts, each asked through its tool: [tool, read-only arguments, kernel module, what it is]. */
const KERNEL_CHECKS: readonly [string, string[], string, string][] = [
  ['ipvsadm', ['-L', '--timeout'], 'ip_vs', 'IPVS'],
  ['ipset', ['list', '-n'], 'ip_set', 'ipset support'],
];

export async function probeIpvs(runner: CommandRunner, o: IpvsProbeOptions): Promise<IpvsProbeResult> {
  for (const [tool, args, module, what] of KERNEL_CHECKS) {
    const r = await runner.run(tool, args);
    if (r.code === NOT_FOUND)
      return { available: false, missing: tool, detail: `${tool} is not installed: ${firstLines(r)}` };
    if (r.code !== 0)
      return {
        available: false,
        missing: module,
        detail: `the kernel has no ${what} (module ${module}): ${tool} says: ${firstLines(r)}`,
      };
  }
  if (o.iptables) {
    for (const tool of ['iptables-restore', 'ip6tables-restore']) {
      const r = await runner.run(tool, ['--version']);
      if (r.code === NOT_FOUND)
        return {
          available: false,
          missing: tool,
          detail: `${tool} is not installed (needed for loadBalancerSourceRanges and masquerading): ${firstLines(r)}`,
        };
    }
  }
  const info = await interfaceInfo(runner, o.interface);
  if (info.exists && !info.owned)
    return {
      available: false,
      missing: 'interface',
      detail:
        `interface ${o.interface} exists but is not FerroLB's (no alias "${INTERFACE_ALIAS}"): kube-proxy in IPVS ` +
        'mode owns it? Then IPVS is already programmed here; otherwise choose another interface',
    };
  return { available: true };
}
