// BGP benchmark: how fast a speaker fills BIRD's table, how it packs NLRI, and how fast BIRD drops
// its routes when the speaker goes away. FerroLB's speaker is measured next to ExaBGP (static routes
// in its configuration) sending the same prefixes to the same BIRD, in the same run.
//
// Announce: time from BIRD's own Established timestamp (`show protocols` 'since', ms precision) until
// BIRD holds all N routes (polled over BIRD's control socket), and NLRI per UPDATE (from a pcap of the
// session). Prefixes are N host routes from 2001:db8::/32 (/128) over an IPv6 session: only
// documentation space may be used in the lab, and the IPv4 documentation ranges hold 768 addresses in
// all, too few for 1,000+ /32s; so IPv4 is measured with exactly those 768 /32s (198.51.100.0/24,
// 203.0.113.0/24, 192.0.2.0/24; routes only — BIRD has no kernel protocol, nothing is forwarded).
//
// Withdraw: with 1,000 routes held, (a) the speaker's namespace goes silent (nftables drops all) —
// BFD 300 ms × 3 where the speaker supports it, else the hold timer (3 s, the minimum) — and (b) the
// speaker is shut down gracefully (SIGTERM); time until BIRD holds none.
import { fileURLToPath } from 'node:url';
import type { Family } from '../src/net/family.ts';
import { formatIp, parseIp } from '../src/net/ip.ts';
import {
  Bird,
  Capture,
  ExaBgp,
  countUpdate,
  ensureDaemons,
  nodeRouterLab,
  sleep,
  splitMessages,
  streamStats,
  timeAt,
  waitFor,
  type NodeRouter,
  type RawMessage,
  type StreamStats,
  type TcpFlow,
} from '../src/lab/bgp/index.ts';
import { startFerroLb, ferroLbAvailable } from '../src/lab/bgp/ferrolb.ts';
import { hostileRows } from './bgp-hostile.ts';

const SIZES = [1_000, 10_000, 50_000];
/** Runs per figure; the median is printed (the machine's 2 cores are shared, single runs wander). */
const RUNS = Number(process.env['FLB_BENCH_RUNS'] ?? 3);
const SPEAKER_AS = 64513;
const ROUTER_AS = 64512;
const BFD = { minRxMs: 300, minTxMs: 300, multiplier: 3 };

const V4_BASES = ['198.51.100.0', '203.0.113.0', '192.0.2.0'].map((a) => parseIp(a)!.value);
export const MAX_V4 = 768;

/** N host routes: /128s from 2001:db8:100::/48, or /32s from the three IPv4 documentation /24s. */
export function benchPrefixes(n: number, family: Family = 'ipv6'): string[] {
  if (family === 'ipv4') {
    if (n > MAX_V4) throw new Error(`benchPrefixes: only ${MAX_V4} IPv4 documentation /32s exist, asked for ${n}`);
    return Array.from(
      { length: n },
      (_, i) => `${formatIp('ipv4', V4_BASES[Math.floor(i / 256)]! + BigInt(i % 256))}/32`,
    );
  }
  const base = parseIp('2001:db8:100::')!.value;
  return Array.from({ length: n }, (_, i) => `${formatIp('ipv6', base + BigInt(i + 1))}/128`);
}

interface SendOptions {
  bfd: boolean;
  holdTime: number;
  family: Family;
}

/** The two ends' addresses for a session over `family`. */
function ends(t: NodeRouter, family: Family): { node: string; router: string } {
  return family === 'ipv4'
    ? { node: t.node.ipv4, router: t.router.ipv4 }
    : { node: t.node.ipv6, router: t.router.ipv6 };
}

/** A speaker under test: started in the node namespace announcing `prefixes` to BIRD. */
interface Sender {
  name: string;
  start(t: NodeRouter, prefixes: string[], o: SendOptions): Promise<{ stop(signal: NodeJS.Signals): Promise<void> }>;
}

const exabgp: Sender = {
  name: 'ExaBGP',
  async start(t, prefixes, o) {
    const a = ends(t, o.family);
    const e = ExaBgp.start(t.lab, t.node.ns, {
      localAddress: a.node,
      localAs: SPEAKER_AS,
      routerId: t.node.ipv4,
      peerAddress: a.router,
      peerAs: ROUTER_AS,
      families: [o.family],
      holdTime: o.holdTime,
      routes: prefixes.map((p) => ({ prefix: p, nextHop: a.node })),
    });
    return { stop: (signal) => e.stop(signal) };
  },
};

const ferrolb: Sender = {
  name: 'FerroLB',
  async start(t, prefixes, o) {
    const a = ends(t, o.family);
    const s = startFerroLb(t.lab, t.node.ns, {
      localAddress: a.node,
      localAs: SPEAKER_AS,
      routerId: t.node.ipv4,
      peerAddress: a.router,
      peerAs: ROUTER_AS,
      holdTime: o.holdTime,
      announce: prefixes.map((p) => p.slice(0, p.indexOf('/'))),
      ...(o.bfd ? { bfd: BFD } : {}),
    });
    return { stop: (signal) => s.stop(signal) };
  },
};

async function startBird(t: NodeRouter, bfd: boolean, holdTime: number, family: Family): Promise<Bird> {
  const a = ends(t, family);
  return Bird.start(t.lab, t.router.ns, {
    localAddress: a.router,
    localAs: ROUTER_AS,
    routerId: t.router.ipv4,
    peerAddress: a.node,
    peerAs: SPEAKER_AS,
    families: [family],
    holdTime,
    ...(bfd ? { bfd: BFD } : {}),
  });
}

interface AnnounceResult {
  seconds: number;
  stats: StreamStats | undefined;
  /** On the wire (router side), seconds after Established: first and last UPDATE carrying routes. */
  firstUpdate?: number;
  lastUpdate?: number;
}

function wireTimes(flow: TcpFlow, sinceMs: number): { firstUpdate?: number; lastUpdate?: number } {
  const ups = splitMessages(flow.data).filter((m) => m.type === 2 && countUpdate(m.bytes).announced > 0);
  const first = ups[0];
  const last = ups.at(-1);
  const at = (m: RawMessage | undefined): number | undefined => {
    const ts = m && timeAt(flow, m.offset + m.bytes.length);
    return ts === undefined ? undefined : (ts - sinceMs) / 1000;
  };
  const out: { firstUpdate?: number; lastUpdate?: number } = {};
  const f = at(first);
  const l = at(last);
  if (f !== undefined) out.firstUpdate = f;
  if (l !== undefined) out.lastUpdate = l;
  return out;
}

async function measureAnnounce(sender: Sender, n: number, family: Family): Promise<AnnounceResult> {
  const t = await nodeRouterLab();
  try {
    const bird = await startBird(t, false, 90, family);
    const cap = await Capture.start(t.lab, t.router.ns);
    const s = await sender.start(t, benchPrefixes(n, family), { bfd: false, holdTime: 90, family });
    let sinceMs = 0;
    // One fast poll for both Established (BIRD's own timestamp) and the full table: a table that lands
    // within a few ms must not be timed by the poll's granularity. (ExaBGP may take a while to reach
    // Established: it parses N static routes first; the bound is generous.)
    const doneAt = await waitFor(
      async () => {
        const p = await bird.protocol();
        if (p.bgpState === 'Established') sinceMs = p.sinceMs;
        return p.bgpState === 'Established' && p.importedRoutes >= n && Date.now();
      },
      {
        what: `BIRD holding ${n} routes from ${sender.name}`,
        timeoutMs: 300_000,
        intervalMs: 1,
        diagnostics: () => bird.diagnostics(),
      },
    );
    await sleep(200);
    const flows = await cap.stop();
    const src = family === 'ipv4' ? t.node.ipv4 : expandV6(t.node.ipv6);
    const fromSpeaker = flows.filter((f) => f.src === src).sort((a, b) => b.data.length - a.data.length)[0];
    await s.stop('SIGTERM');
    return {
      seconds: (doneAt - sinceMs) / 1000,
      stats: fromSpeaker && streamStats(fromSpeaker.data),
      ...(fromSpeaker ? wireTimes(fromSpeaker, sinceMs) : {}),
    };
  } finally {
    await t.lab.destroy();
  }
}

function expandV6(a: string): string {
  // pcap.ts prints IPv6 as eight unpadded groups.
  const v = parseIp(a)!.value;
  const parts: string[] = [];
  for (let i = 7; i >= 0; i--) parts.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return parts.join(':');
}

async function measureWithdraw(sender: Sender, how: 'silence' | 'shutdown', bfd: boolean): Promise<number> {
  const n = 1_000;
  const holdTime = 3;
  const t = await nodeRouterLab();
  try {
    const bird = await startBird(t, bfd, holdTime, 'ipv6');
    const s = await sender.start(t, benchPrefixes(n), { bfd, holdTime, family: 'ipv6' });
    await waitFor(async () => (await bird.protocol()).importedRoutes >= n, {
      what: `BIRD holding ${n} routes from ${sender.name}`,
      timeoutMs: 60_000,
      intervalMs: 20,
      diagnostics: () => bird.diagnostics(),
    });
    if (bfd) {
      await waitFor(async () => /\bUp\b/.test(await bird.control.command('show bfd sessions')), {
        what: 'BFD session Up',
        timeoutMs: 20_000,
        intervalMs: 50,
        diagnostics: () => bird.diagnostics(),
      });
    }
    const t0 = Date.now();
    if (how === 'silence') await t.lab.silence(t.node.ns);
    else await s.stop('SIGTERM');
    const t1 = await waitFor(async () => (await bird.protocol()).importedRoutes === 0 && Date.now(), {
      what: `BIRD dropping ${sender.name}'s routes after ${how}`,
      timeoutMs: 30_000,
      intervalMs: 2,
      diagnostics: () => bird.diagnostics(),
    });
    return (t1 - t0) / 1000;
  } finally {
    await t.lab.destroy();
  }
}

const fmt = (s: number): string => `${s.toFixed(3)} s`;

export async function run(): Promise<string[]> {
  ensureDaemons();
  const lines: string[] = [];
  const haveFerro = ferroLbAvailable();
  const senders = haveFerro ? [ferrolb, exabgp] : [exabgp];
  if (!haveFerro) lines.push('FerroLB speaker: not measured (the `ferrolb bgp` CLI is not available in this tree yet)');
  lines.push(
    'note: ExaBGP 4.2 packs several NLRI per UPDATE only for IPv4 unicast (exabgp/rib/outgoing.py), so its IPv6 rows',
    '      send one prefix per UPDATE; the 768 /32 row (all the IPv4 documentation space) is the like-for-like one',
  );
  lines.push(
    `announce N host routes to BIRD: seconds from Established (BIRD timestamp) until BIRD holds all (median of ${RUNS}); NLRI per UPDATE`,
  );
  const cases: [Family, number][] = [['ipv4', MAX_V4], ...SIZES.map((n): [Family, number] => ['ipv6', n])];
  for (const [family, n] of cases) {
    const res = new Map<string, AnnounceResult>();
    for (const s of senders) {
      const runs: AnnounceResult[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measureAnnounce(s, n, family));
      runs.sort((a, b) => a.seconds - b.seconds);
      const r = runs[Math.floor(runs.length / 2)]!;
      res.set(s.name, r);
      const st = r.stats;
      lines.push(
        `  ${String(n).padStart(6)} ${family === 'ipv4' ? '/32 ' : '/128'} ${s.name.padEnd(8)} ${fmt(r.seconds)}  ` +
          (st
            ? `${st.updates} UPDATEs, ${st.nlriPerUpdate.toFixed(1)} NLRI/UPDATE, ${st.announced} announced on the wire`
            : 'no capture') +
          (r.firstUpdate !== undefined && r.lastUpdate !== undefined
            ? `; UPDATEs on the wire ${fmt(r.firstUpdate)} … ${fmt(r.lastUpdate)}`
            : '') +
          (runs.length > 1 ? `  [median of ${runs.length}: ${runs.map((x) => x.seconds.toFixed(3)).join(' ')}]` : ''),
      );
    }
    const f = res.get('FerroLB');
    const e = res.get('ExaBGP');
    if (f && e) {
      // First UPDATE on the wire after Established (of each sender's median run): how soon the table starts.
      const first = (r: AnnounceResult): string =>
        r.firstUpdate === undefined ? '?' : `${(r.firstUpdate * 1000).toFixed(1)} ms`;
      lines.push(
        `  ${String(n).padStart(6)} ${family === 'ipv4' ? '/32 ' : '/128'} ratio FerroLB/ExaBGP ${(f.seconds / e.seconds).toFixed(2)}× (goal ≤ 1.2×); ` +
          `first UPDATE after Established: FerroLB ${first(f)}, ExaBGP ${first(e)}`,
      );
    }
  }
  lines.push('withdraw 1,000 routes: seconds until BIRD holds none');
  for (const s of senders) {
    // One run each: these are dominated by protocol timers (BFD detection, hold time), not CPU.
    // ExaBGP has no BFD, so its baseline is the hold timer at its minimum (3 s); FerroLB runs BFD
    // (config form with a BFDProfile) against BIRD's BFD.
    const bfd = s.name === 'FerroLB';
    const silent = await measureWithdraw(s, 'silence', bfd);
    lines.push(
      `  ${s.name.padEnd(8)} namespace silent (${bfd ? 'BFD 300 ms × 3, goal ≤ 1 s' : 'no BFD in ExaBGP: hold time 3 s'}): ${fmt(silent)}`,
    );
    const shut = await measureWithdraw(s, 'shutdown', false);
    lines.push(
      `  ${s.name.padEnd(8)} graceful shutdown (SIGTERM${s.name === 'FerroLB' ? ', goal ≤ 100 ms' : ''}): ${fmt(shut)}`,
    );
  }
  if (haveFerro) lines.push(...(await hostileRows()));
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const l of await run()) console.log(l);
}
