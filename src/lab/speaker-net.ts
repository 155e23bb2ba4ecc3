// The speaker lab's network: a switch namespace holding a bridge, one namespace per node, a router
// namespace (BIRD) and a client namespace, each on the bridge by a veth; documentation addresses only,
// everything inside namespaces made here, all named with one prefix so cleanup finds it all. Nodes hold
// the LoadBalancer IPs as /32s off the bridge interface with strict ARP (arp_ignore=1, arp_announce=2),
// as the IPVS syncer will: the kernel accepts traffic for them but only the speaker answers ARP. They
// go on `lo` (a dummy interface where the kernel has the module; this one has none, and for ARP
// arp_ignore=1 treats both alike: neither is the interface the request came in on).
// Processes in the namespaces reach the lab's API server through Unix-socket forwarders (forward.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_NODE } from './controller-child.ts';

const FORWARD = fileURLToPath(new URL('./forward.ts', import.meta.url));

export const SUBNET_PREFIX_LEN = 24;
export const ROUTER_IP = '192.0.2.1';
export const CLIENT_IP = '192.0.2.2';
export const nodeIp = (i: number): string => `192.0.2.${10 + i}`;

export interface NetNode {
  /** Kubernetes Node name. */
  name: string;
  ns: string;
  ip: string;
  /** The interface on the bridge inside the node namespace. */
  ifname: string;
}

function sh(argv: string[], ns?: string): string {
  const full = ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
  const r = spawnSync(full[0] as string, full.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0)
    throw new Error(`${full.join(' ')}: exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export class SpeakerNet {
  readonly prefix: string;
  readonly dir: string;
  readonly switchNs: string;
  readonly routerNs: string;
  readonly clientNs: string;
  readonly nodes: NetNode[] = [];
  readonly #namespaces: string[] = [];
  readonly #children: ChildProcess[] = [];
  #destroyed = false;

  private constructor(prefix: string) {
    this.prefix = prefix;
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.switchNs = `${prefix}-sw`;
    this.routerNs = `${prefix}-r`;
    this.clientNs = `${prefix}-c`;
  }

  /** `prefix` names everything (e.g. fsp1234); node names are node-1..node-N. */
  static create(prefix: string, nodeCount: number): SpeakerNet {
    const net = new SpeakerNet(prefix);
    try {
      net.#ns(net.switchNs);
      sh(['ip', 'link', 'add', 'fspbr0', 'type', 'bridge'], net.switchNs);
      sh(['ip', 'link', 'set', 'fspbr0', 'up'], net.switchNs);
      net.#attach(net.routerNs, 'fspv-r', `${ROUTER_IP}/${SUBNET_PREFIX_LEN}`);
      net.#attach(net.clientNs, 'fspv-c', `${CLIENT_IP}/${SUBNET_PREFIX_LEN}`);
      // A patient client: ten broadcast ARP requests (one a second) before giving up on an address, so
      // a responder slowed down by a loaded machine is waited for rather than reported unreachable.
      sh(['sysctl', '-qw', 'net.ipv4.neigh.fsp0.mcast_solicit=10'], net.clientNs);
      for (let i = 1; i <= nodeCount; i++) net.addNode(i);
    } catch (err) {
      net.destroy();
      throw err;
    }
    return net;
  }

  #ns(name: string): void {
    sh(['ip', 'netns', 'add', name]);
    this.#namespaces.push(name);
    sh(['ip', 'link', 'set', 'lo', 'up'], name);
  }

  #attach(ns: string, switchSide: string, cidr: string): void {
    this.#ns(ns);
    sh(['ip', 'link', 'add', switchSide, 'netns', this.switchNs, 'type', 'veth', 'peer', 'name', 'fsp0', 'netns', ns]);
    sh(['ip', 'link', 'set', switchSide, 'master', 'fspbr0', 'up'], this.switchNs);
    sh(['ip', 'addr', 'add', cidr, 'dev', 'fsp0'], ns);
    sh(['ip', 'link', 'set', 'fsp0', 'up'], ns);
  }

  addNode(i: number): NetNode {
    const node: NetNode = { name: `node-${i}`, ns: `${this.prefix}-n${i}`, ip: nodeIp(i), ifname: 'fsp0' };
    this.#attach(node.ns, `fspv-n${i}`, `${node.ip}/${SUBNET_PREFIX_LEN}`);
    for (const k of ['all', 'default', 'fsp0']) {
      sh(['sysctl', '-qw', `net.ipv4.conf.${k}.arp_ignore=1`, `net.ipv4.conf.${k}.arp_announce=2`], node.ns);
    }
    this.nodes.push(node);
    return node;
  }

  /** Puts `ips` on every node's `lo` (the IPVS syncer's job in a real cluster). */
  holdIps(ips: readonly string[]): void {
    const batch = (ns: string): void => {
      const lines = ips.map((ip) => `addr replace ${ip}/32 dev lo`).join('\n');
      const r = spawnSync('ip', ['netns', 'exec', ns, 'ip', '-batch', '-'], { input: `${lines}\n`, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip -batch in ${ns}: ${r.stderr}`);
    };
    for (const n of this.nodes) batch(n.ns);
  }

  /** Starts a long-running process in `ns`, its output in `logPath`; killed by destroy(). */
  spawn(ns: string, argv: string[], logPath: string): ChildProcess {
    const fd = openSync(logPath, 'a');
    try {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', fd, fd] });
      this.#children.push(child);
      return child;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Inside `ns`, 127.0.0.1:`port` forwards to the Unix socket `unixPath` (the host side forwards that
   * to the API server: see forward.ts). Resolves once it listens.
   */
  async forwardInto(ns: string, port: number, unixPath: string): Promise<void> {
    await this.#forwarder(ns, `tcp:127.0.0.1:${port}`, `unix:${unixPath}`);
  }

  /** The other way: the Unix socket `unixPath` reaches 127.0.0.1:`port` inside `ns` (metrics). */
  async forwardOut(ns: string, unixPath: string, port: number): Promise<void> {
    await this.#forwarder(ns, `unix:${unixPath}`, `tcp:127.0.0.1:${port}`);
  }

  async #forwarder(ns: string, listen: string, to: string): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', ns, PROJECT_NODE, FORWARD, listen, to], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const t = setTimeout(
        () => reject(new Error(`forwarder in ${ns} ${listen} -> ${to}: not listening after 30 s: ${out}`)),
        30_000,
      );
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('forwarding')) {
          clearTimeout(t);
          resolve();
        }
      });
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`forwarder in ${ns} exited ${code}: ${out}`));
      });
    });
  }

  /**
   * A TCP server on `port` in every node namespace (accepts and closes): what the client connects to. A
   * connection reset (the client's attempts cut off by a failover) is ignored: unhandled, it killed the
   * server, and once the IP came back to that node the client's connects were refused for good.
   */
  serveTcp(port: number): void {
    const script = `require('node:net').createServer((s) => { s.on('error', () => {}); s.end(); }).listen(${port}, '0.0.0.0')`;
    for (const n of this.nodes) this.spawn(n.ns, [PROJECT_NODE, '-e', script], join(this.dir, `tcp-${n.name}.log`));
  }

  /** Runs a command in a namespace to completion; throws on failure. */
  exec(ns: string, argv: string[]): string {
    return sh(argv, ns);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of [...this.#namespaces].reverse()) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Deletes every namespace whose name starts with `${prefix}-` (leftovers of a run that died). */
export function removeLeftoverNamespaces(prefix: string): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const gone: string[] = [];
  for (const line of out.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(`${prefix}-`)) {
      spawnSync('ip', ['netns', 'del', name]);
      gone.push(name);
    }
  }
  return gone;
}

/** Pids of the processes in namespace `ns` (ip netns pids). */
export function pidsIn(ns: string): number[] {
  const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** The MAC of `ifname` in `ns`. */
export function macOf(ns: string, ifname: string): string {
  const out = sh(['ip', '-o', 'link', 'show', ifname], ns);
  const m = /link\/ether ([0-9a-f:]{17})/.exec(out);
  if (!m) throw new Error(`no MAC on ${ifname} in ${ns}`);
  return m[1] as string;
}

/** The MAC the client's neighbour table holds for `ip` (who it sends to), or undefined. */
export function neighbourMac(ns: string, ip: string): string | undefined {
  const out = spawnSync('ip', ['netns', 'exec', ns, 'ip', 'neigh', 'show', ip], { encoding: 'utf8' }).stdout ?? '';
  const m = /lladdr ([0-9a-f:]{17})/.exec(out);
  return m ? (m[1] as string) : undefined;
}

/** The MACs answering ARP for `ip` as seen from namespace `ns` (arping, `count` requests). */
export function answeringMacs(ns: string, ifname: string, ip: string, count = 2): string[] {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, 'arping', '-c', String(count), '-w', String(count + 1), '-I', ifname, ip],
    { encoding: 'utf8', timeout: 15_000 },
  );
  const macs = new Set<string>();
  for (const m of (r.stdout ?? '').matchAll(/\b([0-9a-f]{2}(?::[0-9a-f]{2}){5})\b/gi))
    macs.add((m[1] as string).toLowerCase());
  return [...macs].sort();
}
