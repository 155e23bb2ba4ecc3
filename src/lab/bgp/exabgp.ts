// ExaBGP in a namespace: config from PeerOptions (plus static routes to announce) and an API process
// that appends every message ExaBGP receives, as JSON, to a file we read back.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from './exec.ts';
import type { Lab } from './netns.ts';
import { familiesOf, isIpv6, type PeerOptions, type SeenRoute } from './peer-options.ts';

export interface ExaRoute {
  prefix: string;
  nextHop: string;
  localPref?: number;
  communities?: string[];
  largeCommunities?: string[];
  med?: number;
}

export interface ExaOptions extends PeerOptions {
  /** Static routes announced as soon as the session is established. */
  routes?: ExaRoute[];
}

function routeLine(r: ExaRoute): string {
  let s = `    route ${r.prefix} next-hop ${r.nextHop}`;
  if (r.localPref !== undefined) s += ` local-preference ${r.localPref}`;
  if (r.med !== undefined) s += ` med ${r.med}`;
  if (r.communities?.length) s += ` community [ ${r.communities.join(' ')} ]`;
  if (r.largeCommunities?.length) s += ` large-community [ ${r.largeCommunities.join(' ')} ]`;
  return s + ';';
}

export function exabgpConfig(o: ExaOptions, receiverScript: string): string {
  const lines = [
    'process receiver {',
    `  run ${receiverScript};`,
    '  encoder json;',
    '}',
    `neighbor ${o.peerAddress} {`,
    `  router-id ${o.routerId};`,
    `  local-address ${o.localAddress};`,
    `  local-as ${o.localAs};`,
    `  peer-as ${o.peerAs};`,
    `  hold-time ${o.holdTime ?? 90};`,
    '  group-updates true;',
  ];
  if (o.md5 !== undefined) lines.push(`  md5-password "${o.md5}";`);
  if (o.passive) lines.push('  passive true;');
  if (o.multihop !== undefined) lines.push(`  outgoing-ttl ${o.multihop};`);
  lines.push('  family {', ...familiesOf(o).map((f) => `    ${f} unicast;`), '  }');
  lines.push('  capability {', '    route-refresh;');
  if (o.gracefulRestart) lines.push(`    graceful-restart ${o.gracefulRestart.restartTime};`);
  lines.push('  }');
  lines.push(
    '  api {',
    '    processes [ receiver ];',
    '    receive { parsed; update; notification; refresh; }',
    '    neighbor-changes;',
    '  }',
  );
  if (o.routes?.length) lines.push('  static {', ...o.routes.map(routeLine), '  }');
  lines.push('}');
  void isIpv6;
  return lines.join('\n') + '\n';
}

/** Environment ExaBGP needs to run as root in the foreground, logging to stdout, without its CLI pipes. */
export function exabgpEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    exabgp_daemon_user: 'root',
    exabgp_daemon_drop: 'false',
    exabgp_daemon_daemonize: 'false',
    exabgp_log_destination: 'stdout',
    exabgp_log_level: 'INFO',
    exabgp_api_cli: 'false',
    exabgp_tcp_delay: '0',
  };
}

export class ExaBgp {
  readonly lab: Lab;
  readonly ns: string;
  readonly daemon: Daemon;
  readonly receivedPath: string;

  constructor(lab: Lab, ns: string, daemon: Daemon, receivedPath: string) {
    this.lab = lab;
    this.ns = ns;
    this.daemon = daemon;
    this.receivedPath = receivedPath;
  }

  static start(lab: Lab, ns: string, o: ExaOptions): ExaBgp {
    const dir = lab.tmpDir('exabgp');
    const received = join(dir, 'received.jsonl');
    const script = join(dir, 'receiver.py');
    // The API process must keep its stdout open (ExaBGP reads commands from it and treats EOF as death),
    // so it copies stdin to the file itself rather than redirecting stdout.
    writeFileSync(
      script,
      [
        '#!/usr/bin/python3',
        'import sys',
        `with open(${JSON.stringify(received)}, "a", buffering=1) as f:`,
        '    for line in sys.stdin:',
        '        f.write(line)',
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    const conf = join(dir, 'exabgp.conf');
    writeFileSync(conf, exabgpConfig(o, script));
    const daemon = lab.spawn('exabgp', ns, ['exabgp', conf], exabgpEnv());
    return new ExaBgp(lab, ns, daemon, received);
  }

  /** Every JSON message ExaBGP's API process has received so far. */
  messages(): Record<string, unknown>[] {
    if (!existsSync(this.receivedPath)) return [];
    return readFileSync(this.receivedPath, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Last known neighbor state ("up", "down", "connected") from neighbor-changes messages. */
  state(): string | undefined {
    let s: string | undefined;
    for (const m of this.messages()) {
      if (m['type'] === 'state') s = (m['neighbor'] as { state?: string } | undefined)?.state;
    }
    return s;
  }

  /** The Adj-RIB-In built from received UPDATEs (announce adds, withdraw removes). */
  routes(): Map<string, SeenRoute> {
    const rib = new Map<string, SeenRoute>();
    for (const m of this.messages()) {
      if (m['type'] === 'state' && (m['neighbor'] as { state?: string }).state === 'down') rib.clear();
      if (m['type'] !== 'update') continue;
      const msg = (m['neighbor'] as { message?: { update?: ExaUpdate } }).message?.update;
      if (!msg) continue;
      applyExaUpdate(rib, msg);
    }
    return rib;
  }

  output(): string {
    return this.daemon.output();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.lab.stop(this.daemon, signal);
  }
}

interface ExaUpdate {
  attribute?: {
    'as-path'?: number[];
    'local-preference'?: number;
    community?: [number, number][];
    'large-community'?: [number, number, number][];
  };
  announce?: Record<string, Record<string, ({ nlri: string } | string)[]>>;
  withdraw?: Record<string, ({ nlri: string } | string)[]>;
}

function nlriText(n: { nlri: string } | string): string {
  return typeof n === 'string' ? n : n.nlri;
}

export function applyExaUpdate(rib: Map<string, SeenRoute>, u: ExaUpdate): void {
  for (const list of Object.values(u.withdraw ?? {})) for (const n of list) rib.delete(nlriText(n));
  const a = u.attribute ?? {};
  for (const byNextHop of Object.values(u.announce ?? {})) {
    for (const [nextHop, list] of Object.entries(byNextHop)) {
      for (const n of list) {
        const r: SeenRoute = {
          prefix: nlriText(n),
          nextHop,
          asPath: a['as-path'] ?? [],
          communities: (a.community ?? []).map(([x, y]) => `${x}:${y}`),
          largeCommunities: (a['large-community'] ?? []).map(([x, y, z]) => `${x}:${y}:${z}`),
          stale: false,
        };
        if (a['local-preference'] !== undefined) r.localPref = a['local-preference'];
        rib.set(r.prefix, r);
      }
    }
  }
}
