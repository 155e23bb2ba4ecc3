// A membership lab in network namespaces: N node namespaces on one bridge (the bridge lives in a hub
// namespace of its own, so nothing touches the host's interfaces), documentation addresses
// 198.51.100.0/24, one membership process per node (`ferrolb memberlist` or the Go baseline, both print
// `<unix_ms> join|leave|update <node> <state>`), kill -9 / SIGTERM, random loss (nftables `numgen
// random`) and partitions (nftables drop rules). Teardown on destroy() and on process exit.
// Used by the integration tests and `npm run bench -- membership`.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { removeNamespaceSync } from './netns-remove.ts';

export interface EventLine {
  /** Wall-clock ms printed by the process. */
  t: number;
  kind: 'join' | 'leave' | 'update';
  node: string;
  state: 'alive' | 'suspect' | 'dead' | 'left';
}

export interface LabNode {
  index: number;
  name: string;
  ns: string;
  ip: string;
  port: number;
  child?: ChildProcess;
  lines: EventLine[];
  stderr: string;
  exited?: Promise<void>;
}

/** argv of a membership process for `node`, joining `peers` ("ip:port"). */
export type NodeCommand = (node: LabNode, peers: string[]) => string[];

const live = new Set<MembershipLab>();
let labCount = 0;
process.once('exit', () => {
  for (const l of live) l.destroySync();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const l of live) l.destroySync();
    process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  });
}

function sh(argv: string[], input?: string): void {
  execFileSync(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], input, timeout: 30_000 });
}

export class MembershipLab {
  readonly prefix: string;
  readonly hub: string;
  readonly nodes: LabNode[] = [];
  #destroyed = false;

  private constructor(prefix: string) {
    this.prefix = prefix;
    this.hub = `${prefix}-hub`;
  }

  /**
   * Creates the hub with its bridge and `n` node namespaces (n ≤ 250). Namespaces are named
   * `<tag>-<pid>-<lab number>-<node>`, so several labs of one process (the benchmark runs some at once) and
   * of several processes never collide.
   */
  static create(n: number, tag = 'fm'): MembershipLab {
    if (n < 1 || n > 250) throw new Error(`membership lab: ${n} nodes, 1..250 supported`);
    const lab = new MembershipLab(`${tag}-${process.pid}-${labCount++}`);
    live.add(lab);
    MembershipLab.#roomForNeighbours(n);
    try {
      sh(['ip', 'netns', 'add', lab.hub]);
      sh(['ip', '-n', lab.hub, 'link', 'add', 'flmbr', 'type', 'bridge']);
      sh(['ip', '-n', lab.hub, 'link', 'set', 'flmbr', 'up']);
      for (let i = 0; i < n; i++) lab.#addNode(i);
    } catch (e) {
      lab.destroySync();
      throw e;
    }
    return lab;
  }

  /**
   * Every node keeps an ARP entry per peer: n·(n−1) entries (2,450 at n=50), and the kernel's neighbour
   * table is shared by all namespaces with a limit (gc_thresh3, 1,024 by default) beyond which sends fail
   * with ENOBUFS. Raise the limits when the lab needs it (only ever raised; the values are host-wide).
   */
  static #roomForNeighbours(n: number): void {
    const need = n * (n - 1) + 512;
    for (const [key, value] of [
      ['net.ipv4.neigh.default.gc_thresh3', Math.max(need * 2, 8192)],
      ['net.ipv4.neigh.default.gc_thresh2', Math.max(need, 4096)],
    ] as const) {
      const current = Number(execFileSync('sysctl', ['-n', key], { encoding: 'utf8' }).trim());
      if (current < value) sh(['sysctl', '-qw', `${key}=${value}`]);
    }
  }

  #addNode(i: number): void {
    const ns = `${this.prefix}-${i}`;
    const ip = `198.51.100.${i + 1}`;
    sh(['ip', 'netns', 'add', ns]);
    const node: LabNode = { index: i, name: `node${i}`, ns, ip, port: 7946, lines: [], stderr: '' };
    this.nodes.push(node);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', 'link', 'add', 'flm0', 'netns', ns, 'type', 'veth', 'peer', 'name', `flmh${i}`, 'netns', this.hub]);
    sh(['ip', '-n', this.hub, 'link', 'set', `flmh${i}`, 'master', 'flmbr', 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'flm0']);
    sh(['ip', '-n', ns, 'link', 'set', 'flm0', 'up']);
  }

  /** Starts the process of `node` (joining `peers`), collecting its event lines. */
  start(node: LabNode, command: NodeCommand, peers: string[]): void {
    const argv = ['ip', 'netns', 'exec', node.ns, ...command(node, peers)];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    node.child = child;
    node.lines = [];
    node.stderr = '';
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const m = /^(\d+) (join|leave|update) (\S+) (alive|suspect|dead|left)$/.exec(line);
        if (m)
          node.lines.push({
            t: Number(m[1]),
            kind: m[2] as EventLine['kind'],
            node: m[3] as string,
            state: m[4] as EventLine['state'],
          });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (node.stderr.length < 20_000) node.stderr += d;
    });
    node.exited = new Promise((r) => child.once('exit', () => r()));
  }

  running(node: LabNode): boolean {
    return !!node.child && node.child.exitCode === null && node.child.signalCode === null;
  }

  /** Sends a signal and waits (bounded) for the exit; SIGKILL after `graceMs`. */
  async stop(node: LabNode, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
    if (!node.child || !this.running(node)) return;
    node.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    if ((await Promise.race([node.exited, timeout])) === 'timeout') {
      node.child.kill('SIGKILL');
      await node.exited;
    }
    clearTimeout(timer);
  }

  /** Random loss of `percent` % of every packet arriving at each node (UDP and TCP), or none (0). */
  setLoss(percent: number): void {
    for (const n of this.nodes) {
      this.#nft(
        n.ns,
        'flm_loss',
        percent > 0
          ? [
              `chain in { type filter hook input priority 0; iifname "flm0" numgen random mod 100 < ${Math.round(percent)} drop; }`,
            ]
          : undefined,
      );
    }
  }

  /** Nodes in different groups cannot reach each other (drop rules on both sides); [] heals. */
  partition(groups: LabNode[][]): void {
    for (const n of this.nodes) {
      const others = groups.filter((g) => !g.includes(n)).flat();
      const mine = groups.some((g) => g.includes(n));
      const set = others.map((o) => o.ip).join(', ');
      this.#nft(
        n.ns,
        'flm_part',
        mine && others.length > 0
          ? [
              `chain in { type filter hook input priority -10; ip saddr { ${set} } drop; }`,
              `chain out { type filter hook output priority -10; ip daddr { ${set} } drop; }`,
            ]
          : undefined,
      );
    }
  }

  #nft(ns: string, table: string, chains: string[] | undefined): void {
    try {
      sh(['ip', 'netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', table]);
    } catch {
      // not there yet
    }
    if (chains) sh(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], `table inet ${table} {\n${chains.join('\n')}\n}\n`);
  }

  /** Runs a command inside a node's namespace (e.g. a test that injects packets). */
  exec(node: LabNode, argv: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', node.ns, ...argv], { encoding: 'utf8', input, timeout: 30_000 });
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.stop(n, 'SIGKILL', 2_000)));
    this.destroySync();
  }

  destroySync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    live.delete(this);
    for (const n of this.nodes) if (n.child && this.running(n)) n.child.kill('SIGKILL');
    for (const ns of [...this.nodes.map((n) => n.ns), this.hub]) removeNamespaceSync(ns);
  }
}

/** The `ferrolb memberlist` command line for a lab node. */
export function ferrolbCommand(execPath: string, cliPath: string, keyFile: string, extra: string[] = []): NodeCommand {
  return (n, peers) => [
    execPath,
    cliPath,
    'memberlist',
    '--name',
    n.name,
    '--bind',
    n.ip,
    '--port',
    String(n.port),
    '--key-file',
    keyFile,
    ...(peers.length ? ['--join', peers.join(',')] : []),
    ...extra,
  ];
}

/** The Go baseline's command line (scripts/memberlist-baseline), `profile` metallb or tuned. */
export function baselineCommand(binary: string, keyFile: string, profile: 'metallb' | 'tuned'): NodeCommand {
  return (n, peers) => [
    binary,
    '--name',
    n.name,
    '--bind',
    n.ip,
    '--port',
    String(n.port),
    '--key-file',
    keyFile,
    '--profile',
    profile,
    ...(peers.length ? ['--join', peers.join(',')] : []),
  ];
}
