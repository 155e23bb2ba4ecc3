// BIRD 2 in a namespace: config from PeerOptions, `bird -f`, and a control-socket client (the same
// line protocol birdc speaks) for `show protocols all` / `show route all`.
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from './exec.ts';
import type { Lab } from './netns.ts';
import { familiesOf, isIpv6, type PeerOptions, type SeenRoute } from './peer-options.ts';
import { waitFor } from '../poll.ts';

export function birdConfig(o: PeerOptions, protoName = 'peer1'): string {
  const lines: string[] = [
    `router id ${o.routerId};`,
    // Millisecond timestamps for `show protocols` 'since' (the benchmark measures from it).
    'timeformat protocol "%F %T.%3f";',
    'timeformat route "%F %T.%3f";',
    'log stderr all;',
    'protocol device { scan time 10; }',
  ];
  if (o.bfd) {
    lines.push(
      // Sessions come from `bfd on` in the BGP protocol; timers from the interface pattern.
      'protocol bfd {',
      '  interface "*" {',
      `    min rx interval ${o.bfd.minRxMs} ms; min tx interval ${o.bfd.minTxMs} ms; multiplier ${o.bfd.multiplier};`,
      '  };',
      '}',
    );
  }
  if (o.originate?.length) {
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const mine = o.originate.filter((p) => isIpv6(p) === (fam === 'ipv6'));
      if (mine.length === 0) continue;
      const a = o.originateAttributes;
      const set = [
        ...(a?.communities ?? []).map((c) => `bgp_community.add((${c.replace(':', ',')}));`),
        ...(a?.largeCommunities ?? []).map((c) => `bgp_large_community.add((${c.split(':').join(',')}));`),
        ...(a?.med !== undefined ? [`bgp_med = ${a.med};`] : []),
      ].join(' ');
      const block = set ? ` { ${set} }` : '';
      lines.push(
        `protocol static static_${fam} { ${fam}; ${mine.map((p) => `route ${p} unreachable${block};`).join(' ')} }`,
      );
    }
  }
  lines.push(`protocol bgp ${protoName} {`);
  lines.push(`  local ${o.localAddress} as ${o.localAs};`);
  lines.push(`  neighbor ${o.peerAddress} as ${o.peerAs};`);
  if (o.md5 !== undefined) lines.push(`  password "${o.md5}";`);
  if (o.passive) lines.push('  passive on;');
  if (o.holdTime !== undefined) lines.push(`  hold time ${o.holdTime};`);
  if (o.multihop !== undefined) lines.push(`  multihop ${o.multihop};`);
  if (o.ttlSecurity) lines.push('  ttl security on;');
  if (o.bfd) lines.push('  bfd on;');
  if (o.gracefulRestart)
    lines.push('  graceful restart on;', `  graceful restart time ${o.gracefulRestart.restartTime};`);
  // Reconnect quickly in tests.
  lines.push('  connect retry time 1;', '  error wait time 1, 2;', '  connect delay time 1;');
  for (const fam of familiesOf(o)) {
    const exp = o.originate?.some((p) => isIpv6(p) === (fam === 'ipv6')) ? 'all' : 'none';
    lines.push(
      `  ${fam} { import all; export ${exp};${fam === 'ipv6' && !isIpv6(o.localAddress) ? ' next hop self;' : ''} };`,
    );
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Minimal client for BIRD's control socket. */
export class BirdControl {
  private sock: Socket | undefined;
  private buf = '';
  private waiting: ((reply: string) => void) | undefined;
  private lines: string[] = [];

  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async open(): Promise<void> {
    const sock = connect(this.path);
    this.sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      this.waiting = () => {
        sock.off('error', reject);
        resolve();
      };
    });
    sock.on('error', () => {});
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.lines.push(line);
      // A reply ends with a line "DDDD " (code followed by a space).
      if (/^\d{4} /.test(line)) {
        const reply = this.lines.join('\n');
        this.lines = [];
        const w = this.waiting;
        this.waiting = undefined;
        w?.(reply);
      }
    }
  }

  /** Sends one command and returns the reply text with the reply codes stripped. */
  command(cmd: string): Promise<string> {
    const sock = this.sock;
    if (!sock) throw new Error('bird control socket not open');
    if (this.waiting) throw new Error('bird control: one command at a time');
    return new Promise((resolve) => {
      this.waiting = (reply) => {
        // Lines are "DDDD-text", "DDDD text" or " text" (continuation of the previous code).
        resolve(
          reply
            .split('\n')
            .map((l) => (/^\d{4}[ -]/.test(l) ? l.slice(5) : l.startsWith(' ') ? l.slice(1) : l))
            .join('\n'),
        );
      };
      sock.write(cmd + '\n');
    });
  }

  close(): void {
    this.sock?.destroy();
  }
}

export interface BirdProtocolState {
  state: string;
  /** BIRD's own timestamp of the last state change, ms since epoch. */
  sinceMs: number;
  bgpState: string;
  importedRoutes: number;
}

export class Bird {
  readonly control: BirdControl;
  readonly lab: Lab;
  readonly ns: string;
  readonly daemon: Daemon;
  readonly socketPath: string;
  readonly protoName: string;

  constructor(lab: Lab, ns: string, daemon: Daemon, socketPath: string, protoName: string) {
    this.lab = lab;
    this.ns = ns;
    this.daemon = daemon;
    this.socketPath = socketPath;
    this.protoName = protoName;
    this.control = new BirdControl(socketPath);
  }

  static async start(lab: Lab, ns: string, o: PeerOptions): Promise<Bird> {
    const dir = lab.tmpDir('bird');
    const conf = join(dir, 'bird.conf');
    const sock = join(dir, 'bird.ctl');
    writeFileSync(conf, birdConfig(o));
    const daemon = lab.spawn('bird', ns, ['bird', '-f', '-c', conf, '-s', sock]);
    const bird = new Bird(lab, ns, daemon, sock, 'peer1');
    await waitFor(
      async () => {
        if (daemon.child.exitCode !== null) throw new Error(`bird exited: ${daemon.output()}`);
        await bird.control.open();
        return true;
      },
      { what: 'BIRD control socket', timeoutMs: 10_000, intervalMs: 50, diagnostics: () => daemon.output() },
    );
    return bird;
  }

  /** Parses `show protocols all <peer>`. */
  async protocol(): Promise<BirdProtocolState> {
    const text = await this.control.command(`show protocols all ${this.protoName}`);
    return parseBirdProtocol(text, this.protoName);
  }

  async established(): Promise<boolean> {
    return (await this.protocol()).bgpState === 'Established';
  }

  async waitEstablished(timeoutMs = 30_000): Promise<BirdProtocolState> {
    return waitFor(
      async () => {
        const p = await this.protocol();
        return p.bgpState === 'Established' && p;
      },
      { what: `BIRD ${this.protoName} Established`, timeoutMs, diagnostics: () => this.diagnostics() },
    );
  }

  async routes(family: 'ipv4' | 'ipv6'): Promise<SeenRoute[]> {
    const text = await this.control.command(
      `show route all table master${family === 'ipv4' ? 4 : 6} protocol ${this.protoName}`,
    );
    const routes = parseBirdRoutes(text);
    // BIRD 2.0 shows no per-route stale flag; while the neighbor's graceful restart is active every
    // route from it is a stale one kept by the helper (RFC 4724 §4.2).
    if (routes.length > 0 && (await this.gracefulRestartActive())) for (const r of routes) r.stale = true;
    return routes;
  }

  async gracefulRestartActive(): Promise<boolean> {
    return /Neighbor graceful restart active/.test(await this.control.command(`show protocols all ${this.protoName}`));
  }

  async diagnostics(): Promise<string> {
    let proto = '';
    try {
      proto = await this.control.command(`show protocols all ${this.protoName}`);
    } catch (e) {
      proto = String(e);
    }
    return `${proto}\n--- bird log ---\n${this.daemon.output().slice(-4000)}`;
  }

  async stop(): Promise<void> {
    this.control.close();
    await this.lab.stop(this.daemon);
  }
}

export function parseBirdTime(s: string): number {
  // "2026-11-22 04:01:02.345" in local time of the machine (BIRD formats with localtime).
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(s.trim());
  if (!m) throw new Error(`bird: unparseable time "${s}"`);
  const frac = m[7] ?? '0';
  const ms = Number(frac.padEnd(6, '0')) / 1000;
  return (
    new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() + ms
  );
}

export function parseBirdProtocol(text: string, name: string): BirdProtocolState {
  const lines = text.split('\n');
  const head = lines.find((l) => l.startsWith(name + ' '));
  if (!head) throw new Error(`bird: protocol ${name} not in reply:\n${text}`);
  // name  BGP  ---  master4  up  2026-11-22 04:01:02.345  Established
  const m = /^\S+\s+\S+\s+\S+\s+(\S+)\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(.*)$/.exec(head);
  if (!m) throw new Error(`bird: unparseable protocol line "${head}"`);
  const bgpLine = lines.find((l) => /^\s*BGP state:/.test(l));
  const routes = [...text.matchAll(/Routes:\s+(\d+) imported/g)].reduce((n, r) => n + Number(r[1]), 0);
  return {
    state: m[1]!,
    sinceMs: parseBirdTime(m[2]!),
    bgpState: bgpLine ? bgpLine.split(':')[1]!.trim() : (m[3] ?? '').trim(),
    importedRoutes: routes,
  };
}

export function parseBirdRoutes(text: string): SeenRoute[] {
  const out: SeenRoute[] = [];
  let cur: SeenRoute | undefined;
  for (const line of text.split('\n')) {
    const start = /^([0-9a-f.:]+\/\d+)\s+(\S+)\s+\[/i.exec(line) ?? /^\s{10,}(\S+)\s+\[/.exec('');
    if (start) {
      cur = { prefix: start[1]!, nextHop: '', asPath: [], communities: [], largeCommunities: [], stale: false };
      out.push(cur);
      continue;
    }
    // Further routes for the same prefix start with whitespace then "unicast [" — not expected here.
    if (!cur) continue;
    const t = line.trim();
    const kv = /^BGP\.(\w+):\s*(.*)$/.exec(t);
    if (!kv) continue;
    const [, key, val] = kv as unknown as [string, string, string];
    if (key === 'next_hop') cur.nextHop = val.split(/\s+/)[0]!;
    else if (key === 'as_path') cur.asPath = val.split(/\s+/).filter(Boolean).map(Number);
    else if (key === 'local_pref') cur.localPref = Number(val);
    else if (key === 'community') cur.communities = [...val.matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
    else if (key === 'large_community')
      cur.largeCommunities = [...val.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
  }
  return out;
}
