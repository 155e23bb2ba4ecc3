// FRR's bgpd alone in a namespace (no zebra: -Z, routes stay in BGP's RIB, nothing touches a kernel
// table), with its own pid file and vty socket directory, queried with `vtysh --vty_socket DIR -d bgpd`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from './exec.ts';
import type { Lab } from './netns.ts';
import { familiesOf, isIpv6, type PeerOptions, type SeenRoute } from './peer-options.ts';
import { waitFor } from '../poll.ts';

export function frrConfig(o: PeerOptions): string {
  const n = o.peerAddress;
  const lines = [
    'hostname flb-frr',
    'log stdout informational',
    `router bgp ${o.localAs}`,
    ` bgp router-id ${o.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
    ' timers bgp 3 9',
  ];
  if (o.gracefulRestart)
    lines.push(' bgp graceful-restart', ` bgp graceful-restart restart-time ${o.gracefulRestart.restartTime}`);
  lines.push(
    ` neighbor ${n} remote-as ${o.peerAs}`,
    ` neighbor ${n} update-source ${o.localAddress}`,
    ` neighbor ${n} timers connect 1`,
  );
  if (o.md5 !== undefined) lines.push(` neighbor ${n} password ${o.md5}`);
  if (o.passive) lines.push(` neighbor ${n} passive`);
  if (o.holdTime !== undefined)
    lines.push(` neighbor ${n} timers ${Math.max(1, Math.floor(o.holdTime / 3))} ${o.holdTime}`);
  if (o.multihop !== undefined) lines.push(` neighbor ${n} ebgp-multihop ${o.multihop}`);
  for (const fam of familiesOf(o)) {
    lines.push(` address-family ${fam} unicast`, `  neighbor ${n} activate`);
    const rm = o.originateAttributes ? ' route-map ORIGINATE' : '';
    for (const p of o.originate ?? []) if (isIpv6(p) === (fam === 'ipv6')) lines.push(`  network ${p}${rm}`);
    lines.push(' exit-address-family');
  }
  const a = o.originateAttributes;
  if (a) {
    lines.push('exit', 'route-map ORIGINATE permit 10');
    if (a.communities?.length) lines.push(` set community ${a.communities.join(' ')}`);
    if (a.largeCommunities?.length) lines.push(` set large-community ${a.largeCommunities.join(' ')}`);
    if (a.med !== undefined) lines.push(` set metric ${a.med}`);
  }
  return lines.join('\n') + '\n';
}

export class Frr {
  readonly lab: Lab;
  readonly ns: string;
  readonly daemon: Daemon;
  readonly vtyDir: string;
  readonly peerAddress: string;

  constructor(lab: Lab, ns: string, daemon: Daemon, vtyDir: string, peerAddress: string) {
    this.lab = lab;
    this.ns = ns;
    this.daemon = daemon;
    this.vtyDir = vtyDir;
    this.peerAddress = peerAddress;
  }

  static async start(lab: Lab, ns: string, o: PeerOptions): Promise<Frr> {
    const dir = lab.tmpDir('frr');
    const conf = join(dir, 'bgpd.conf');
    writeFileSync(conf, frrConfig(o));
    const daemon = lab.spawn('bgpd', ns, [
      '/usr/lib/frr/bgpd',
      '-Z',
      '-S',
      '-u',
      'root',
      '-g',
      'root',
      '-f',
      conf,
      '-i',
      join(dir, 'bgpd.pid'),
      '--vty_socket',
      dir,
      '-P',
      '0',
      '--log',
      'stdout',
      '--log-level',
      'info',
    ]);
    const frr = new Frr(lab, ns, daemon, dir, o.peerAddress);
    await waitFor(
      async () => {
        if (daemon.child.exitCode !== null) throw new Error(`bgpd exited: ${daemon.output()}`);
        await frr.vtysh('show bgp summary json');
        return true;
      },
      { what: 'FRR bgpd vty', timeoutMs: 15_000, intervalMs: 100, diagnostics: () => daemon.output() },
    );
    return frr;
  }

  /** Runs one vtysh command against this bgpd and returns its output. */
  async vtysh(cmd: string): Promise<string> {
    return this.lab.exec(this.ns, ['vtysh', '--vty_socket', this.vtyDir, '-d', 'bgpd', '-c', cmd], {
      timeoutMs: 15_000,
    });
  }

  async json(cmd: string): Promise<Record<string, unknown>> {
    const out = await this.vtysh(cmd);
    return JSON.parse(out) as Record<string, unknown>;
  }

  async neighborState(): Promise<string> {
    const j = await this.json(`show bgp neighbors ${this.peerAddress} json`);
    const n = j[this.peerAddress] as { bgpState?: string } | undefined;
    return n?.bgpState ?? 'unknown';
  }

  async waitEstablished(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.neighborState()) === 'Established', {
      what: 'FRR neighbor Established',
      timeoutMs,
      intervalMs: 200,
      diagnostics: () => this.daemon.output().slice(-4000),
    });
  }

  async routes(family: 'ipv4' | 'ipv6'): Promise<SeenRoute[]> {
    const j = await this.json(`show bgp ${family} unicast json`);
    const routes = (j['routes'] ?? {}) as Record<string, FrrPath[]>;
    const out: SeenRoute[] = [];
    for (const [prefix, paths] of Object.entries(routes)) {
      // Only paths learned from our peer (not locally originated ones).
      const p = paths.find((x) => x.peerId === this.peerAddress);
      if (!p) continue;
      const detail = await this.json(`show bgp ${family} unicast ${prefix} json`);
      const dp = ((detail['paths'] ?? []) as FrrDetailPath[]).find((x) => x.peer?.peerId === this.peerAddress);
      const r: SeenRoute = {
        prefix,
        nextHop: p.nexthops?.find((h) => h.scope !== 'link-local')?.ip ?? p.nexthops?.[0]?.ip ?? '',
        asPath: (p.path ?? '').split(/\s+/).filter(Boolean).map(Number),
        communities: dp?.community?.string?.split(/\s+/).filter(Boolean) ?? [],
        largeCommunities: dp?.largeCommunity?.string?.split(/\s+/).filter(Boolean) ?? [],
        stale: Boolean(dp?.stale ?? p.stale),
      };
      const lp = dp?.locPrf ?? p.locPrf;
      if (lp !== undefined) r.localPref = lp;
      out.push(r);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.lab.stop(this.daemon);
  }
}

interface FrrPath {
  peerId?: string;
  path?: string;
  locPrf?: number;
  stale?: boolean;
  nexthops?: { ip: string; scope?: string }[];
}
interface FrrDetailPath {
  peer?: { peerId?: string };
  locPrf?: number;
  stale?: boolean;
  community?: { string?: string };
  largeCommunity?: { string?: string };
}
