// `ferrolb <command>`: dispatch only. Each command lives in its own file and is loaded on demand so that
// `ferrolb config check` does not pay for the BGP or Kubernetes modules.
import type { CliIo, Command } from './io.ts';

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<Command> }>> = {
  config: {
    summary: 'config check FILE...   validate address-pool ConfigMaps or metallb.io CRD YAML',
    load: async () => (await import('./config-check.ts')).configCommand,
  },
  allocate: {
    summary: 'allocate --config FILE --services FILE   assign IPs to Services offline, in file order',
    load: async () => (await import('./allocate.ts')).allocateCommand,
  },
  bgp: {
    summary: 'bgp --config FILE --announce IP...   run one BGP speaker standalone',
    load: async () => (await import('./bgp.ts')).bgpCommand,
  },
  status: {
    summary: 'status [--kubeconfig PATH] [-o json]   per Service: IPs, pool, mode, announcing node(s) and peers',
    load: async () => (await import('./status.ts')).statusCommand,
  },
  ipvs: {
    summary:
      'ipvs --file FILE | --kubeconfig PATH [--dry-run]   sync IPVS, ipsets and the dummy interface from Services + EndpointSlices',
    load: async () => (await import('./ipvs.ts')).ipvsCommand,
  },
  l2: {
    summary: 'l2 --interface IF --ip ADDR...   answer ARP/NDP for IPs and announce them (Layer 2 mode)',
    load: async () => (await import('./l2.ts')).l2Command,
  },
  memberlist: {
    summary: 'memberlist --name NAME --bind ADDR --join ADDR:PORT,...   one membership node, events on stdout',
    load: async () => (await import('./memberlist.ts')).memberlistCommand,
  },
  lab: {
    summary: 'lab [--once]   local cluster-in-a-box: API server, controller, example pools, demo Service',
    load: async () => (await import('./lab.ts')).labCommand,
  },
};

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ferrolb ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  // Own names only: `ferrolb constructor` is an unknown command, not Object.prototype's.
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.stderr(`ferrolb: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  return (await cmd.load())(rest, io);
}
