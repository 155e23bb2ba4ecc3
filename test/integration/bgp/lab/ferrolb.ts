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
import { waitFor } from './poll.ts';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const NODE_BIN = `${REPO}node_modules/.bin/node`;
export const CLI = `${REPO}bin/ferrolb.ts`;
const ARGFILE_RUNNER = fileURLToPath(new URL('./ferrolb-argfile.ts', import.meta.url));

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
}

export function ferroLbAvailable(): boolean {
  return existsSync(`${REPO}src/cli/bgp.ts`);
}

export function ferroArgs(o: FerroOptions): string[] {
  const a = [
    '--peer', o.peerAddress, '--peer-asn', String(o.peerAs), '--my-asn', String(o.localAs),
    '--source', o.localAddress, '--router-id', o.routerId, '--connect-retry', '1:2',
  ];
  if (o.holdTime !== undefined) a.push('--hold', String(o.holdTime));
  if (o.md5 !== undefined) a.push('--password', o.md5);
  if (o.nodeIpv4 !== undefined) a.push('--node-ipv4', o.nodeIpv4);
  if (o.nodeIpv6 !== undefined) a.push('--node-ipv6', o.nodeIpv6);
  for (const c of o.communities ?? []) a.push('--community', c);
  for (const c of o.largeCommunities ?? []) a.push('--large-community', c);
  if (o.localPref !== undefined) a.push('--local-pref', String(o.localPref));
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
    return this.output().split('\n').filter((l) => /^(listening|peer|advertised|all routes|notification|stopping|stopped)\b/.test(l));
  }

  exited(): boolean {
    return this.daemon.child.exitCode !== null || this.daemon.child.signalCode !== null;
  }

  async waitEvent(re: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
    return waitFor(() => {
      const hit = this.events().find((l) => re.test(l));
      if (hit) return hit;
      if (this.exited()) throw new Error(`ferrolb bgp exited (${this.daemon.child.exitCode ?? this.daemon.child.signalCode}) before: ${what}`);
      return undefined;
    }, { what, timeoutMs, intervalMs: 20, diagnostics: () => this.output().slice(-4000) });
  }

  waitEstablished(timeoutMs?: number): Promise<string> {
    return this.waitEvent(new RegExp(`^peer ${this.peerAddress.replace(/[.]/g, '\\.')} Established`), 'FerroLB session Established', timeoutMs);
  }

  waitAllAdvertised(timeoutMs?: number): Promise<string> {
    return this.waitEvent(/^all routes advertised/, 'FerroLB all routes advertised', timeoutMs);
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
  if (o.announce.length > 200) {
    const file = join(lab.tmpDir('ferrolb'), 'announce.txt');
    writeFileSync(file, o.announce.join('\n') + '\n');
    argv = [NODE_BIN, ARGFILE_RUNNER, file, 'bgp', ...ferroArgs(o)];
  } else {
    argv = [NODE_BIN, CLI, 'bgp', ...ferroArgs(o), ...o.announce.flatMap((ip) => ['--announce', ip])];
  }
  const d = lab.spawn('ferrolb', ns, argv);
  return new FerroLbSpeaker(lab, ns, d, o.peerAddress);
}
