// The netns lab: namespaces with unique names per test run (flb-<pid>-<n>), veth links between them,
// documentation addresses, daemons started inside, and teardown of all of it — from afterAll, and
// from a process-exit hook when a test run dies half way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk, spawnLogged, type Daemon, type RunOptions, type SpawnOptions, run } from './exec.ts';
import { sleep } from '../poll.ts';
import { removeNamespaceSync } from '../netns-remove.ts';

export interface Endpoint {
  ns: string;
  ifname: string;
  ipv4: string;
  ipv6: string;
}

export interface LinkSpec {
  /** Addresses with prefix length, e.g. 192.0.2.1/24 and 2001:db8::1/64. */
  aIpv4: string;
  bIpv4: string;
  aIpv6: string;
  bIpv6: string;
  /** Interface name inside each namespace (default veth0). */
  ifname?: string;
}

let counter = 0;
const liveLabs = new Set<Lab>();

function syncCleanup(): void {
  for (const lab of liveLabs) lab.destroySync();
}
process.once('exit', syncCleanup);

/** Only documentation prefixes may be configured by the lab. */
function assertDocumentationAddress(cidr: string): void {
  const ok = /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)\d{1,3}\/\d{1,2}$/.test(cidr) || /^2001:db8:/i.test(cidr);
  if (!ok) throw new Error(`lab: refusing non-documentation address ${cidr}`);
}

export class Lab {
  readonly namespaces: string[] = [];
  readonly daemons: Daemon[] = [];
  private readonly dirs: string[] = [];
  private destroyed = false;
  private readonly prefix: string;

  /** `prefix`: start of the namespace names (a test suite may use its own, e.g. to tell its leftovers apart). */
  constructor(prefix = 'flb') {
    this.prefix = prefix;
    liveLabs.add(this);
  }

  /** Creates a namespace with a unique name and loopback up. `role` only shows in diagnostics. */
  async namespace(role: string): Promise<string> {
    const name = `${this.prefix}-${process.pid}-${++counter}`;
    await runOk(['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
    await runOk(['ip', 'link', 'set', 'lo', 'up'], { ns: name });
    // Routes and addresses must be usable at once: no IPv6 duplicate address detection delay.
    await runOk(['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'], {
      ns: name,
    });
    void role;
    return name;
  }

  /** A veth pair between two namespaces, addressed and up. */
  async link(nsA: string, nsB: string, spec: LinkSpec): Promise<{ a: Endpoint; b: Endpoint }> {
    for (const c of [spec.aIpv4, spec.bIpv4, spec.aIpv6, spec.bIpv6]) assertDocumentationAddress(c);
    const ifname = spec.ifname ?? 'veth0';
    await runOk([
      'ip',
      'link',
      'add',
      'name',
      ifname,
      'netns',
      nsA,
      'type',
      'veth',
      'peer',
      'name',
      ifname,
      'netns',
      nsB,
    ]);
    for (const [ns, v4, v6] of [
      [nsA, spec.aIpv4, spec.aIpv6],
      [nsB, spec.bIpv4, spec.bIpv6],
    ] as const) {
      await runOk(['ip', 'addr', 'add', v4, 'dev', ifname], { ns });
      await runOk(['ip', '-6', 'addr', 'add', v6, 'dev', ifname, 'nodad'], { ns });
      await runOk(['ip', 'link', 'set', ifname, 'up'], { ns });
    }
    const strip = (c: string): string => c.slice(0, c.indexOf('/'));
    return {
      a: { ns: nsA, ifname, ipv4: strip(spec.aIpv4), ipv6: strip(spec.aIpv6) },
      b: { ns: nsB, ifname, ipv4: strip(spec.bIpv4), ipv6: strip(spec.bIpv6) },
    };
  }

  /** A private temporary directory removed at teardown. */
  tmpDir(tag: string): string {
    const d = mkdtempSync(join(tmpdir(), `flb-${tag}-`));
    this.dirs.push(d);
    return d;
  }

  exec(ns: string, argv: readonly string[], opts: Omit<RunOptions, 'ns'> = {}): Promise<string> {
    return runOk(argv, { ...opts, ns });
  }

  run(ns: string, argv: readonly string[], opts: Omit<RunOptions, 'ns'> = {}) {
    return run(argv, { ...opts, ns });
  }

  /** Starts a long-running process in a namespace; it is killed at teardown. */
  spawn(
    name: string,
    ns: string,
    argv: readonly string[],
    env?: NodeJS.ProcessEnv,
    opts: Omit<SpawnOptions, 'ns' | 'env'> = {},
  ): Daemon {
    const d = spawnLogged(name, argv, env === undefined ? { ns, ...opts } : { ns, env, ...opts });
    this.daemons.push(d);
    return d;
  }

  /** Stops a daemon with a signal and waits (bounded) for it to exit; SIGKILL after 5 s. */
  async stop(d: Daemon, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (d.child.exitCode !== null || d.child.signalCode !== null) return;
    d.child.kill(signal);
    const timeout = sleep(5000).then(() => 'timeout' as const);
    if ((await Promise.race([d.exited, timeout])) === 'timeout') {
      d.child.kill('SIGKILL');
      await d.exited;
    }
  }

  /** Drops every packet in and out of a namespace (nftables), e.g. to make a speaker go silent. */
  async silence(ns: string): Promise<void> {
    const rules = [
      'table inet flb_silence {',
      '  chain in { type filter hook input priority -300; policy drop; iifname "lo" accept; }',
      '  chain out { type filter hook output priority -300; policy drop; oifname "lo" accept; }',
      '}',
    ].join('\n');
    await runOk(['nft', '-f', '-'], { ns, input: rules });
  }

  async unsilence(ns: string): Promise<void> {
    await runOk(['nft', 'delete', 'table', 'inet', 'flb_silence'], { ns });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await Promise.all(this.daemons.map((d) => this.stop(d, 'SIGKILL')));
    this.destroySync();
  }

  /** Synchronous teardown, usable from a process 'exit' hook. Idempotent. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    liveLabs.delete(this);
    for (const d of this.daemons) {
      if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    }
    // Processes the tests started inside a namespace (e.g. daemons that forked) go too.
    for (const ns of this.namespaces) removeNamespaceSync(ns);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The standard two-namespace topology: "node" (the speaker) and "router" (the daemon) on one link. */
export interface NodeRouter {
  lab: Lab;
  node: Endpoint;
  router: Endpoint;
}

export async function nodeRouterLab(): Promise<NodeRouter> {
  const lab = new Lab();
  try {
    const nodeNs = await lab.namespace('node');
    const routerNs = await lab.namespace('router');
    const { a, b } = await lab.link(nodeNs, routerNs, {
      aIpv4: '192.0.2.1/24',
      bIpv4: '192.0.2.2/24',
      aIpv6: '2001:db8::1/64',
      bIpv6: '2001:db8::2/64',
    });
    return { lab, node: a, router: b };
  } catch (err) {
    lab.destroySync();
    throw err;
  }
}

/** Two hops: "node" — "mid" (forwarding) — "router", for eBGP multihop. Static routes both ways. */
export async function nodeMidRouterLab(): Promise<NodeRouter & { mid: string }> {
  const lab = new Lab();
  try {
    const nodeNs = await lab.namespace('node');
    const midNs = await lab.namespace('mid');
    const routerNs = await lab.namespace('router');
    const l1 = await lab.link(nodeNs, midNs, {
      aIpv4: '192.0.2.1/24',
      bIpv4: '192.0.2.2/24',
      aIpv6: '2001:db8::1/64',
      bIpv6: '2001:db8::2/64',
    });
    const l2 = await lab.link(midNs, routerNs, {
      aIpv4: '203.0.113.1/24',
      bIpv4: '203.0.113.2/24',
      aIpv6: '2001:db8:1::1/64',
      bIpv6: '2001:db8:1::2/64',
      ifname: 'veth1',
    });
    await lab.exec(midNs, ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    await lab.exec(nodeNs, ['ip', 'route', 'add', '203.0.113.0/24', 'via', '192.0.2.2']);
    await lab.exec(nodeNs, ['ip', '-6', 'route', 'add', '2001:db8:1::/64', 'via', '2001:db8::2']);
    await lab.exec(routerNs, ['ip', 'route', 'add', '192.0.2.0/24', 'via', '203.0.113.1']);
    await lab.exec(routerNs, ['ip', '-6', 'route', 'add', '2001:db8::/64', 'via', '2001:db8:1::1']);
    return { lab, node: l1.a, router: l2.b, mid: midNs };
  } catch (err) {
    lab.destroySync();
    throw err;
  }
}
