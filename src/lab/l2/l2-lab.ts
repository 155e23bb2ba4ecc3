// The Layer 2 lab: one namespace holding a Linux bridge (the LAN) and one namespace per host, each with an
// eth0 plugged into the bridge. Names start with fl2-<pid>-; MACs are fixed per host; only the client gets
// addresses (192.0.2.1/24, 2001:db8::1/64) — the responders own IPs without configuring them. Removed by
// destroy(), and by a process-exit hook when a run dies half way.
import { execFileSync } from 'node:child_process';
import { run, runOk, spawnLogged, type Daemon, type RunResult } from '../bgp/exec.ts';
import { sleep, waitFor } from '../poll.ts';
import { removeNamespaceSync } from '../netns-remove.ts';
import { FERROLB_CLI as CLI, PROJECT_NODE as NODE } from '../repo-paths.ts';

export { CLI, NODE };
export const CLIENT_V4 = '192.0.2.1';
export const CLIENT_V6 = '2001:db8::1';

const live = new Set<L2Lab>();
process.once('exit', () => {
  for (const l of live) l.destroySync();
});
let counter = 0;

export class L2Lab {
  readonly prefix: string;
  readonly lan: string;
  readonly hosts = new Map<string, { ns: string; mac: string }>();
  readonly daemons: Daemon[] = [];
  #destroyed = false;

  private constructor(prefix: string) {
    this.prefix = prefix;
    this.lan = `${prefix}-lan`;
    live.add(this);
  }

  /** Removes namespaces left by runs that were killed (their pid is gone). */
  static sweepStale(): void {
    let names: string[] = [];
    try {
      names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.split(' ')[0] ?? '');
    } catch {
      return;
    }
    for (const name of names) {
      const m = /^fl2-(\d+)-\d+-/.exec(name);
      if (!m || Number(m[1]) === process.pid) continue;
      try {
        process.kill(Number(m[1]), 0);
      } catch {
        try {
          execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
        } catch {
          // raced with another sweep
        }
      }
    }
  }

  /** A LAN with a client (addressed) and the given other hosts (not addressed). */
  static async create(roles: string[]): Promise<L2Lab> {
    L2Lab.sweepStale();
    const lab = new L2Lab(`fl2-${process.pid}-${++counter}`);
    try {
      await lab.#ns(lab.lan);
      await runOk(['ip', 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0'], { ns: lab.lan });
      await runOk(['ip', 'link', 'set', 'br0', 'up'], { ns: lab.lan });
      for (const [i, role] of ['client', ...roles].entries()) await lab.addHost(role, i + 1);
      await lab.exec('client', ['ip', 'addr', 'add', `${CLIENT_V4}/24`, 'dev', 'eth0']);
      await lab.exec('client', ['ip', '-6', 'addr', 'add', `${CLIENT_V6}/64`, 'dev', 'eth0', 'nodad']);
    } catch (err) {
      lab.destroySync();
      throw err;
    }
    return lab;
  }

  async #ns(name: string): Promise<void> {
    await runOk(['ip', 'netns', 'add', name]);
    await runOk(['ip', 'link', 'set', 'lo', 'up'], { ns: name });
    await runOk(['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'], {
      ns: name,
    });
  }

  /** Another host on the LAN with eth0 (MAC 02:00:5e:10:01:NN), up. */
  async addHost(role: string, n: number, ifname = 'eth0'): Promise<string> {
    let host = this.hosts.get(role);
    if (!host) {
      host = { ns: `${this.prefix}-${role}`, mac: `02:00:5e:10:01:${n.toString(16).padStart(2, '0')}` };
      await this.#ns(host.ns);
      this.hosts.set(role, host);
    }
    const port = `p${n}-${ifname}`.slice(0, 15);
    await runOk([
      'ip',
      'link',
      'add',
      port,
      'netns',
      this.lan,
      'type',
      'veth',
      'peer',
      'name',
      ifname,
      'netns',
      host.ns,
    ]);
    const mac = ifname === 'eth0' ? host.mac : `02:00:5e:10:0${ifname.length % 10}:${n.toString(16).padStart(2, '0')}`;
    await runOk(['ip', 'link', 'set', ifname, 'address', mac], { ns: host.ns });
    await runOk(['ip', 'link', 'set', port, 'master', 'br0', 'up'], { ns: this.lan });
    await runOk(['ip', 'link', 'set', ifname, 'up'], { ns: host.ns });
    return mac;
  }

  ns(role: string): string {
    const h = this.hosts.get(role);
    if (!h) throw new Error(`l2 lab: no host "${role}"`);
    return h.ns;
  }

  mac(role: string): string {
    return this.hosts.get(role)!.mac;
  }

  exec(role: string, argv: readonly string[]): Promise<string> {
    return runOk(argv, { ns: this.ns(role) });
  }

  run(role: string, argv: readonly string[]): Promise<RunResult> {
    return run(argv, { ns: this.ns(role) });
  }

  spawn(role: string, name: string, argv: readonly string[], stdin = false): Daemon {
    const d = spawnLogged(name, argv, { ns: this.ns(role), stdin });
    this.daemons.push(d);
    return d;
  }

  /** `ferrolb l2` in a host's namespace; resolves once it printed its first `set` line. */
  async responder(role: string, args: readonly string[]): Promise<Daemon> {
    const d = this.spawn(role, `ferrolb-l2-${role}`, [NODE, CLI, 'l2', ...args], args.includes('--stdin'));
    await waitFor(() => d.output().includes('set ips=') || d.child.exitCode !== null, {
      what: `ferrolb l2 in ${role} ready`,
      timeoutMs: 30_000,
      diagnostics: () => d.output(),
    });
    if (d.child.exitCode !== null) throw new Error(`ferrolb l2 in ${role} exited: ${d.output()}`);
    return d;
  }

  async stop(
    d: Daemon,
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill(signal);
    const r = await Promise.race([d.exited, sleep(10_000).then(() => undefined)]);
    if (r) return r;
    d.child.kill('SIGKILL');
    return d.exited;
  }

  /** The client's neighbour entry for `ip`: its MAC and state, or undefined. */
  async neighbour(ip: string): Promise<{ mac?: string; state: string } | undefined> {
    const out = await this.exec('client', ['ip', '-j', 'neigh', 'show', 'to', ip, 'dev', 'eth0']);
    const entries = JSON.parse(out || '[]') as { lladdr?: string; state?: string[] }[];
    const e = entries[0];
    return e && { mac: e.lladdr, state: (e.state ?? []).join(',') };
  }

  destroySync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    live.delete(this);
    for (const d of this.daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    for (const ns of [this.lan, ...[...this.hosts.values()].map((h) => h.ns)]) removeNamespaceSync(ns);
  }
}
