// GoBGP in a namespace: gobgpd with a TOML config written from PeerOptions and its gRPC API on the
// namespace's own loopback, queried with the `gobgp` client (JSON output).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from './exec.ts';
import type { Lab } from './netns.ts';
import { familiesOf, isIpv6, type PeerOptions, type SeenRoute } from './peer-options.ts';
import { waitFor } from '../poll.ts';

const API = '127.0.0.1';
const API_PORT = 50051;

export function gobgpConfig(o: PeerOptions): string {
  const l = [
    '[global.config]',
    `  as = ${o.localAs}`,
    `  router-id = "${o.routerId}"`,
    `  local-address-list = ["${o.localAddress}"]`,
    '[[neighbors]]',
    '  [neighbors.config]',
    `    neighbor-address = "${o.peerAddress}"`,
    `    peer-as = ${o.peerAs}`,
  ];
  if (o.md5 !== undefined) l.push(`    auth-password = "${o.md5}"`);
  l.push(
    '  [neighbors.transport.config]',
    `    local-address = "${o.localAddress}"`,
    `    passive-mode = ${o.passive ? 'true' : 'false'}`,
  );
  const hold = o.holdTime ?? 9;
  l.push(
    '  [neighbors.timers.config]',
    '    connect-retry = 1',
    `    hold-time = ${hold}`,
    `    keepalive-interval = ${Math.max(1, Math.floor(hold / 3))}`,
  );
  if (o.multihop !== undefined)
    l.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', `    multihop-ttl = ${o.multihop}`);
  if (o.gracefulRestart)
    l.push(
      '  [neighbors.graceful-restart.config]',
      '    enabled = true',
      `    restart-time = ${o.gracefulRestart.restartTime}`,
    );
  for (const fam of familiesOf(o)) {
    l.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${fam}-unicast"`);
    if (o.gracefulRestart) l.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
  }
  return l.join('\n') + '\n';
}

export class GoBgp {
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

  static async start(lab: Lab, ns: string, o: PeerOptions): Promise<GoBgp> {
    const dir = lab.tmpDir('gobgp');
    const conf = join(dir, 'gobgpd.toml');
    writeFileSync(conf, gobgpConfig(o));
    const daemon = lab.spawn('gobgpd', ns, [
      'gobgpd',
      '-f',
      conf,
      '-t',
      'toml',
      '--api-hosts',
      `${API}:${API_PORT}`,
      '-l',
      'info',
    ]);
    const g = new GoBgp(lab, ns, daemon, o.peerAddress);
    await waitFor(
      async () => {
        if (daemon.child.exitCode !== null) throw new Error(`gobgpd exited: ${daemon.output()}`);
        // The neighbor from the config file is present once the daemon has loaded it.
        return (await g.cli(['neighbor', '-j'])).includes(o.peerAddress);
      },
      { what: 'gobgpd API with its neighbor', timeoutMs: 15_000, intervalMs: 100, diagnostics: () => daemon.output() },
    );
    const a = o.originateAttributes;
    const extra = [
      ...(a?.communities?.length ? ['community', a.communities.join(',')] : []),
      ...(a?.largeCommunities?.length ? ['large-community', a.largeCommunities.join(',')] : []),
      ...(a?.med !== undefined ? ['med', String(a.med)] : []),
    ];
    for (const p of o.originate ?? [])
      await g.cli(['global', 'rib', 'add', p, ...extra, '-a', isIpv6(p) ? 'ipv6' : 'ipv4']);
    return g;
  }

  cli(args: readonly string[]): Promise<string> {
    return this.lab.exec(this.ns, ['gobgp', '-u', API, '-p', String(API_PORT), ...args], { timeoutMs: 15_000 });
  }

  async neighborState(): Promise<string> {
    const j = JSON.parse(await this.cli(['neighbor', this.peerAddress, '-j'])) as {
      state?: { session_state?: number | string };
    };
    const s = j.state?.session_state;
    // The API gives the enum number (6 = ESTABLISHED) or its name, depending on the version.
    const names: Record<number, string> = {
      1: 'idle',
      2: 'connect',
      3: 'active',
      4: 'opensent',
      5: 'openconfirm',
      6: 'established',
    };
    return typeof s === 'number' ? (names[s] ?? String(s)) : String(s ?? 'unknown').toLowerCase();
  }

  async waitEstablished(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.neighborState()) === 'established', {
      what: 'GoBGP neighbor established',
      timeoutMs,
      intervalMs: 200,
      diagnostics: () => this.daemon.output().slice(-4000),
    });
  }

  async routes(family: 'ipv4' | 'ipv6'): Promise<SeenRoute[]> {
    const j = JSON.parse(await this.cli(['global', 'rib', '-a', family, '-j'])) as Record<string, GoPath[]>;
    const out: SeenRoute[] = [];
    for (const [prefix, paths] of Object.entries(j)) {
      const p = paths.find((x) => x['neighbor-ip'] === this.peerAddress);
      if (!p) continue;
      out.push(goPathToRoute(prefix, p));
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.lab.stop(this.daemon);
  }
}

interface GoAttr {
  type: number;
  value?: unknown;
  nexthop?: string;
  as_paths?: { asns: number[] }[];
  communities?: number[];
}
interface GoPath {
  attrs: GoAttr[];
  stale?: boolean;
  'neighbor-ip'?: string;
}

export function goPathToRoute(prefix: string, p: GoPath): SeenRoute {
  const r: SeenRoute = {
    prefix,
    nextHop: '',
    asPath: [],
    communities: [],
    largeCommunities: [],
    stale: Boolean(p.stale),
  };
  for (const a of p.attrs) {
    if (a.type === 2) r.asPath = (a.as_paths ?? []).flatMap((s) => s.asns);
    else if (a.type === 3 || a.type === 14) r.nextHop = a.nexthop ?? r.nextHop;
    else if (a.type === 5) r.localPref = Number(a.value);
    else if (a.type === 8) r.communities = (a.communities ?? []).map((c) => `${Math.floor(c / 65536)}:${c % 65536}`);
    else if (a.type === 32) {
      const v = (a.value ?? []) as { ASN: number; LocalData1: number; LocalData2: number }[];
      r.largeCommunities = v.map((x) => `${x.ASN}:${x.LocalData1}:${x.LocalData2}`);
    }
  }
  return r;
}
