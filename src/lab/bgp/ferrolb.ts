// The FerroLB speaker under test: `node bin/ferrolb.ts bgp ...` (src/cli/bgp.ts, simple form) run in the
// "node" namespace, with its stdout events (`peer ADDR STATE`, `all routes advertised ...`,
// `notification sent|received ...`) parsed for readiness. Big announcement lists (the benchmark's
// 50,000) do not fit in argv, so they go through a file read by ferrolb-argfile.ts, which then calls
// the same bgpCommand as bin/ferrolb.ts.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Daemon } from './exec.ts';
import type { Lab } from './netns.ts';
import { waitFor } from '../poll.ts';
import { FERROLB_CLI as CLI, PROJECT_NODE as NODE_BIN, REPO_ROOT } from '../repo-paths.ts';

export { CLI, NODE_BIN };
const ARGFILE_RUNNER = fileURLToPath(new URL('./ferrolb-argfile.ts', import.meta.url));
const DRIVER = fileURLToPath(new URL('./ferrolb-driver.ts', import.meta.url));

export interface FerroOptions {
  /** The session's local address (--source), which is also the default next hop. */
  localAddress: string;
  localAs: number;
  routerId: string;
  peerAddress: string;
  peerAs: number;
  /** Addresses to announce (/32 or /128 each, unless aggregated). */
  announce: string[];
  holdTime?: number;
  md5?: string;
  nodeIpv4?: string;
  nodeIpv6?: string;
  communities?: string[];
  largeCommunities?: string[];
  localPref?: number;
  gracefulRestart?: { restartTime: number };
  /** Set the R bit in the first OPEN (we are coming back from a restart). */
  restarted?: boolean;
  listenPort?: number;
  passive?: boolean;
  logLevel?: string;
  /** --ebgp-multihop */
  ebgpMultiHop?: boolean;
  /** RFC 5082 GTSM (`--gtsm`). */
  gtsm?: boolean;
  /** Run through ferrolb-driver.ts so set() can change the announcements while running. */
  driver?: boolean;
  /** BFD with these timers: switches to the config form (metallb.io CRDs with a BFDProfile), the only
   * way the CLI enables BFD. */
  bfd?: { minRxMs: number; minTxMs: number; multiplier: number };
}

/** metallb.io CRD YAML equivalent to the simple-form flags, plus a BFDProfile when `o.bfd` is set. */
export function ferroCrdYaml(o: FerroOptions): string {
  const docs: string[] = [];
  const meta = (name: string): string => `metadata:\n  name: ${name}\n  namespace: metallb-system`;
  docs.push(
    [
      'apiVersion: metallb.io/v1beta1',
      'kind: IPAddressPool',
      meta('lab'),
      'spec:',
      '  addresses:',
      '  - 192.0.2.0/24',
      '  - 198.51.100.0/24',
      '  - 203.0.113.0/24',
      '  - 2001:db8::/32',
    ].join('\n'),
  );
  const peer = [
    'apiVersion: metallb.io/v1beta2',
    'kind: BGPPeer',
    meta('router'),
    'spec:',
    `  myASN: ${o.localAs}`,
    `  peerASN: ${o.peerAs}`,
    `  peerAddress: "${o.peerAddress}"`,
    `  sourceAddress: "${o.localAddress}"`,
  ];
  if (o.holdTime !== undefined)
    peer.push(`  holdTime: ${o.holdTime}s`, `  keepaliveTime: ${Math.max(1, Math.floor(o.holdTime / 3))}s`);
  if (o.md5 !== undefined) peer.push(`  password: "${o.md5}"`);
  if (o.bfd) peer.push('  bfdProfile: lab-bfd');
  docs.push(peer.join('\n'));
  if (o.bfd) {
    docs.push(
      [
        'apiVersion: metallb.io/v1beta1',
        'kind: BFDProfile',
        meta('lab-bfd'),
        'spec:',
        `  receiveInterval: ${o.bfd.minRxMs}`,
        `  transmitInterval: ${o.bfd.minTxMs}`,
        `  detectMultiplier: ${o.bfd.multiplier}`,
      ].join('\n'),
    );
  }
  const adv = [
    'apiVersion: metallb.io/v1beta1',
    'kind: BGPAdvertisement',
    meta('lab'),
    'spec:',
    '  ipAddressPools: [lab]',
  ];
  if (o.localPref !== undefined) adv.push(`  localPref: ${o.localPref}`);
  const comms = [...(o.communities ?? []), ...(o.largeCommunities ?? []).map((c) => `large:${c}`)];
  if (comms.length) adv.push('  communities:', ...comms.map((c) => `  - "${c}"`));
  docs.push(adv.join('\n'));
  return docs.join('\n---\n') + '\n';
}

export function ferroLbAvailable(): boolean {
  return existsSync(join(REPO_ROOT, 'src/cli/bgp.ts'));
}

/** CLI flags for `o`; `configFile` switches from the simple form to the config form. */
export function ferroArgs(o: FerroOptions, configFile?: string): string[] {
  const a = ['--router-id', o.routerId, '--connect-retry', '1:2'];
  if (configFile !== undefined) {
    a.push('--config', configFile);
  } else {
    a.push(
      '--peer',
      o.peerAddress,
      '--peer-asn',
      String(o.peerAs),
      '--my-asn',
      String(o.localAs),
      '--source',
      o.localAddress,
    );
    if (o.holdTime !== undefined) a.push('--hold', String(o.holdTime));
    if (o.md5 !== undefined) a.push('--password', o.md5);
    for (const c of o.communities ?? []) a.push('--community', c);
    for (const c of o.largeCommunities ?? []) a.push('--large-community', c);
    if (o.localPref !== undefined) a.push('--local-pref', String(o.localPref));
    if (o.ebgpMultiHop) a.push('--ebgp-multihop');
    if (o.gtsm) a.push('--gtsm');
  }
  if (o.nodeIpv4 !== undefined) a.push('--node-ipv4', o.nodeIpv4);
  if (o.nodeIpv6 !== undefined) a.push('--node-ipv6', o.nodeIpv6);
  if (o.gracefulRestart) a.push('--graceful-restart', String(o.gracefulRestart.restartTime));
  if (o.restarted) a.push('--restarted');
  if (o.listenPort !== undefined) a.push('--listen-port', String(o.listenPort));
  if (o.passive) a.push('--passive');
  a.push('--log-level', o.logLevel ?? 'warn');
  return a;
}

export class FerroLbSpeaker {
  readonly lab: Lab;
  readonly ns: string;
  readonly daemon: Daemon;
  readonly peerAddress: string;

  constructor(lab: Lab, ns: string, daemon: Daemon, peerAddress: string) {
    this.lab = lab;
    this.ns = ns;
    this.daemon = daemon;
    this.peerAddress = peerAddress;
  }

  output(): string {
    return this.daemon.output();
  }

  /** stdout event lines so far. */
  events(): string[] {
    return this.output()
      .split('\n')
      .filter((l) => /^(listening|peer|advertised|all routes|notification|stopping|stopped|ok|error)\b/.test(l));
  }

  exited(): boolean {
    return this.daemon.child.exitCode !== null || this.daemon.child.signalCode !== null;
  }

  async waitEvent(re: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
    return waitFor(
      () => {
        const hit = this.events().find((l) => re.test(l));
        if (hit) return hit;
        if (this.exited())
          throw new Error(
            `ferrolb bgp exited (${this.daemon.child.exitCode ?? this.daemon.child.signalCode}) before: ${what}`,
          );
        return undefined;
      },
      { what, timeoutMs, intervalMs: 20, diagnostics: () => this.output().slice(-4000) },
    );
  }

  waitEstablished(timeoutMs?: number): Promise<string> {
    return this.waitEvent(
      new RegExp(`^peer ${this.peerAddress.replace(/[.]/g, '\\.')} Established`),
      'FerroLB session Established',
      timeoutMs,
    );
  }

  waitAllAdvertised(timeoutMs?: number): Promise<string> {
    return this.waitEvent(/^all routes advertised/, 'FerroLB all routes advertised', timeoutMs);
  }

  /** Driver mode only: announce exactly `ips` now (the session stays up; the speaker diffs). */
  async set(ips: string[]): Promise<void> {
    const stdin = this.daemon.child.stdin;
    if (!stdin) throw new Error('set() needs a speaker started with driver: true');
    const before = this.events().filter((l) => l.startsWith('ok set')).length;
    stdin.write(`set ${ips.join(' ')}\n`);
    await waitFor(() => this.events().filter((l) => l.startsWith('ok set')).length > before, {
      what: 'driver to acknowledge set',
      timeoutMs: 10_000,
      intervalMs: 10,
      diagnostics: () => this.output().slice(-2000),
    });
  }

  /** SIGTERM: graceful shutdown with NOTIFICATION Cease; SIGUSR2: close without NOTIFICATION (restart);
   * SIGKILL: die on the spot. Waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.lab.stop(this.daemon, signal);
  }
}

export function startFerroLb(lab: Lab, ns: string, o: FerroOptions): FerroLbSpeaker {
  if (!ferroLbAvailable()) throw new Error('ferrolb bgp CLI (src/cli/bgp.ts) is not in this tree');
  let argv: string[];
  const dir = lab.tmpDir('ferrolb');
  let configFile: string | undefined;
  if (o.bfd) {
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, ferroCrdYaml(o));
  }
  const args = ferroArgs(o, configFile);
  if (o.driver) {
    const d = lab.spawn(
      'ferrolb',
      ns,
      [NODE_BIN, DRIVER, ...args, ...o.announce.flatMap((ip) => ['--announce', ip])],
      undefined,
      { stdin: true },
    );
    return new FerroLbSpeaker(lab, ns, d, o.peerAddress);
  }
  if (o.announce.length > 200) {
    const file = join(dir, 'announce.txt');
    writeFileSync(file, o.announce.join('\n') + '\n');
    argv = [NODE_BIN, ARGFILE_RUNNER, file, 'bgp', ...args];
  } else {
    argv = [NODE_BIN, CLI, 'bgp', ...args, ...o.announce.flatMap((ip) => ['--announce', ip])];
  }
  const d = lab.spawn('ferrolb', ns, argv);
  return new FerroLbSpeaker(lab, ns, d, o.peerAddress);
}
