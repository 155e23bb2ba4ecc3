// `npm run bench -- failover [--quick]`: what a client sees when the owner of a LoadBalancer IP dies. A
// client namespace pings the IP every 10 ms and opens a TCP connection every 10 ms; the owner node "dies"
// (kill -9 of its daemon and its link cut at the same instant); the outage is the longest gap between
// successes from the last one before the kill until the client is answered through another MAC. Each
// round starts only from a steady state (membership whole, exactly one MAC answering ARP — the owner by
// MetalLB's rule —, the client's neighbour entries naming it, every probe answered); a round that cannot
// reach one is reported as such, never measured. Also: graceful handover (SIGTERM), 100 IPs owned by the
// killed node (each pinged every 50 ms: the time until every one answers again; at most 10 kills, as the
// graceful case: a round with 101 IPs takes ~20 s to settle), speaker idle RSS.
// Baseline in the same run, same namespaces, same probes: keepalived (VRRP) with its default 1 s adverts
// and with 100 ms adverts. FAILOVER_KILLS=n (default 20; --quick: 3), FAILOVER_ONLY=keepalived,n3,n5,f3,f5,pods,rss (a list; f3/f5: the tuned
// speakers, --memberlist-profile fast).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { procStatusKib } from '../src/lab/logged-child.ts';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { orderCandidates } from '../src/election/index.ts';
import { installManifests, startCluster } from '../src/lab/index.ts';
import { SpeakerLab, setSpeakerPod, speakerNodeOptions } from '../src/lab/speaker-lab.ts';
import { speakerEnv, speakerProcessEnv, speakerV8Flags } from '../src/lab/speaker-child.ts';
import { PROJECT_NODE } from '../src/lab/controller-child.ts';
import { ADDON_PATH } from '../src/native/index.ts';
import { KeepalivedLab } from '../src/lab/keepalived.ts';
import { MultiPingProbe, OutageProbe, neighbourTable, waitRecovered } from '../src/lab/outage-probe.ts';
import {
  CLIENT_IP,
  SpeakerNet,
  answeringMacs,
  macOf,
  pidsIn,
  removeLeftoverNamespaces,
  type NetNode,
} from '../src/lab/speaker-net.ts';

const VIP = '192.0.2.200';
const PORT = 8080;
/** How many more IPs the killed node owns in the "100 IPs" case, and how often each is pinged. */
const MANY = 100;
const MANY_INTERVAL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Kill {
  icmp?: number;
  tcp?: number;
  /** The longest outage among the MANY IPs (how long until every one of them answered again). */
  many?: number;
  /** Not answered through another MAC within 30 s of the kill: what the client saw then. */
  unrecovered?: string;
  /** No steady state to start the round from (why): not a kill, not measured. */
  notSteady?: string;
}

export function summary(label: string, xs: number[], goal = ''): string {
  if (xs.length === 0) return `${label}: no sample`;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number;
  const f = (v: number) => `${v.toFixed(0)} ms`;
  return `${label}: n=${s.length} min ${f(s[0] as number)}  median ${f(q(0.5))}  p99 ${f(q(0.99))}  max ${f(s[s.length - 1] as number)}${goal ? `   (goal: ${goal})` : ''}`;
}

export function report(name: string, results: Kill[], goals: { p99?: string; many?: string } = {}): string[] {
  const kills = results.filter((r) => r.notSteady === undefined);
  const lost = kills.filter((r) => r.unrecovered !== undefined).length;
  const skipped = results.flatMap((r) => (r.notSteady !== undefined ? [r.notSteady] : []));
  const lines = [
    summary(
      `${name}, ping outage (${kills.length} kills${lost ? `, ${lost} not recovered within 30 s` : ''})`,
      kills.flatMap((r) => (r.icmp !== undefined ? [r.icmp] : [])),
      goals.p99,
    ),
    summary(
      `${name}, TCP connect outage`,
      kills.flatMap((r) => (r.tcp !== undefined ? [r.tcp] : [])),
      goals.p99,
    ),
  ];
  if (kills.some((r) => r.many !== undefined))
    lines.push(
      summary(
        `${name}, all ${MANY} IPs answered again (longest per-IP ping outage)`,
        kills.flatMap((r) => (r.many !== undefined ? [r.many] : [])),
        goals.many,
      ),
    );
  for (const r of kills) if (r.unrecovered !== undefined) lines.push(`  not recovered: ${r.unrecovered}`);
  if (skipped.length > 0)
    lines.push(`  ${skipped.length} rounds without a steady state to start from: ${skipped.join('; ')}`);
  return lines;
}

export interface FailoverSystem {
  name: string;
  /** (Re)start the daemon of node i. */
  start(i: number): Promise<void>;
  /** kill -9 of node i's daemon(s) (the link is cut by the caller at the same instant). */
  kill(i: number): void;
  /** Clears what a killed daemon of node i left behind, before its link comes back. */
  prepare?(i: number): void;
  /** SIGTERM of node i's daemon; resolves when it has exited (graceful handover). */
  stopGracefully?(i: number): Promise<void>;
  /** Resolves once membership is whole again (every daemon sees every other); rejects after a bound. */
  settled?(): Promise<void>;
  /** The node that must own the VIP in the steady state (MetalLB's rule), when the system has a rule. */
  expectedOwner?(): number;
}

/** The "100 IPs" case: more IPs owned by the node that owns VIP, and their probe. */
export interface ManyIps {
  ips: string[];
  probe: MultiPingProbe;
}

/**
 * Waits (bounded) for a state a kill can be measured from: membership whole, exactly one MAC answering
 * ARP for VIP (the expected owner when the system has a rule), the client's neighbour entries for VIP
 * (and the many IPs) naming that MAC, every probe answered just now. Returns the owner, or why not.
 */
async function steady(
  net: SpeakerNet,
  macs: string[],
  sys: FailoverSystem,
  probe: OutageProbe,
  many: ManyIps | undefined,
): Promise<{ owner: number; mac: string } | { reason: string }> {
  try {
    await sys.settled?.();
  } catch (err) {
    return { reason: `membership not whole: ${(err as Error).message.split('\n')[0]}` };
  }
  const end = Date.now() + 60_000;
  let why = 'no try';
  while (Date.now() < end) {
    const answering = answeringMacs(net.clientNs, 'fsp0', VIP, 2);
    const owner = answering.length === 1 ? macs.indexOf(answering[0] as string) : -1;
    const expected = sys.expectedOwner?.();
    if (answering.length !== 1) why = `${answering.length} MACs answering ARP for ${VIP}`;
    else if (owner < 0) why = `an unknown MAC ${answering[0]} answers for ${VIP}`;
    else if (expected !== undefined && owner !== expected)
      why = `${net.nodes[owner]!.name} answers for ${VIP}, not ${net.nodes[expected]!.name} (MetalLB's rule)`;
    else {
      const mac = answering[0] as string;
      const table = neighbourTable(net.clientNs);
      const stale = [VIP, ...(many?.ips ?? [])].filter((ip) => table.get(ip) !== mac);
      // The probes' replies that came while arping and ip ran (synchronously) are read now.
      await sleep(100);
      const now = Date.now();
      if (stale.length > 0)
        why = `the client's neighbour entries for ${stale.length} IPs (${stale[0]}…) name another MAC`;
      else if (!probe.healthySince(now - 500)) why = `the client's probes of ${VIP} not answered`;
      else if (many && !many.probe.healthySince(now - 500))
        why = `the client's pings of the ${MANY} IPs not all answered`;
      else return { owner, mac };
    }
    if (process.env.FAILOVER_DEBUG) console.error(`  not steady yet: ${why}`);
    await sleep(200);
  }
  return { reason: why };
}

/** `kills` rounds: from a steady state, kill the owner + cut its link (or SIGTERM it); measure; bring it back. */
export async function killLoop(
  net: SpeakerNet,
  sys: FailoverSystem,
  kills: number,
  probe: OutageProbe,
  opts: { graceful?: boolean; many?: ManyIps; beforeFirst?: () => void } = {},
): Promise<Kill[]> {
  const macs = net.nodes.map((n) => macOf(n.ns, n.ifname));
  const out: Kill[] = [];
  let unsteady = 0;
  let lost = 0;
  for (let k = 0; k < kills; k++) {
    const s = await steady(net, macs, sys, probe, opts.many);
    if ('reason' in s) {
      out.push({ notSteady: s.reason });
      if (++unsteady >= 3) break; // broken for good: stop this scenario
      continue;
    }
    unsteady = 0;
    if (k === 0) opts.beforeFirst?.();
    const node = net.nodes[s.owner]!;
    if (process.env.FAILOVER_DEBUG) console.error(`${new Date().toISOString()} kill ${k}: owner ${node.name} ${s.mac}`);
    const t = Date.now();
    if (opts.graceful) await sys.stopGracefully?.(s.owner);
    else {
      net.exec(node.ns, ['ip', 'link', 'set', node.ifname, 'down']);
      sys.kill(s.owner);
    }
    // Measured only once the client is answered through another MAC (see outage-probe.ts).
    const recovered = await waitRecovered(net.clientNs, [VIP], s.mac, (x) => probe.healthySince(x));
    const manyRecovered =
      opts.many && (await waitRecovered(net.clientNs, opts.many.ips, s.mac, (x) => opts.many!.probe.healthySince(x)));
    const many = manyRecovered ? opts.many?.probe.outage(t) : undefined;
    if (recovered) {
      out.push({ ...probe.outage(t), ...(many !== undefined ? { many } : {}) });
      lost = 0;
    } else {
      const who = (m: string) => net.nodes[macs.indexOf(m)]?.name ?? m;
      const answering = answeringMacs(net.clientNs, 'fsp0', VIP, 2).map(who);
      const entry = neighbourTable(net.clientNs).get(VIP);
      lost++;
      out.push({
        unrecovered: `${node.name} killed; the client's entry names ${entry ? who(entry) : 'none'}; ARP answered by ${answering.join(', ') || 'nobody'}`,
      });
    }
    if (process.env.FAILOVER_DEBUG) console.error(`  outage ${JSON.stringify(out.at(-1))}`);
    // Back: clear what the killed daemon left (keepalived's VIP), the link, then the daemon.
    sys.prepare?.(s.owner);
    if (!opts.graceful) net.exec(node.ns, ['ip', 'link', 'set', node.ifname, 'up']);
    await sys.start(s.owner);
    if (lost >= 3) break; // broken for good: stop this scenario
  }
  return out;
}

function keepalivedSystem(net: SpeakerNet, advert: number): FailoverSystem {
  const ka = new KeepalivedLab(net, VIP, advert);
  return {
    name: `keepalived advert_int ${advert} s`,
    prepare: (i) => ka.clearVip(i),
    start: async (i) => ka.start(i),
    kill: (i) => {
      const ns = net.nodes[i]!.ns;
      // keepalived's processes only: the TCP server of the node stays (it is not part of the failover).
      for (const pid of pidsIn(ns)) {
        const comm = spawnSync('cat', [`/proc/${pid}/comm`], { encoding: 'utf8' }).stdout.trim();
        if (comm === 'keepalived') process.kill(pid, 'SIGKILL');
      }
    },
  };
}

async function baseline(advert: number, kills: number): Promise<string[]> {
  const prefix = `ffb${process.pid % 10000}`;
  removeLeftoverNamespaces(prefix);
  const net = SpeakerNet.create(prefix, 3);
  try {
    net.serveTcp(PORT);
    const sys = keepalivedSystem(net, advert);
    for (let i = 0; i < net.nodes.length; i++) await sys.start(i);
    const probe = new OutageProbe(net.clientNs, VIP, PORT);
    try {
      return report(sys.name, await killLoop(net, sys, kills, probe));
    } finally {
      probe.stop();
    }
  } finally {
    net.destroy();
  }
}

/** The bench's pools: the lab's Layer 2 pool, and room for the "100 IPs" case (all Layer 2). */
const BENCH_CONFIG = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: ferrolb-system}
spec: {addresses: [192.0.2.200-192.0.2.250, 198.51.100.1-198.51.100.254, 203.0.113.1-203.0.113.254]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ferrolb-system}
spec: {ipAddressPools: [lan]}
`;

/** `count` IPs of the bench pool that MetalLB's rule gives to the node that owns VIP (all nodes alive). */
export function ipsOwnedWithVip(nodes: string[], count: number): string[] {
  const owner = orderCandidates(nodes, VIP)[0];
  const out: string[] = [];
  for (const net of ['198.51.100', '203.0.113'])
    for (let i = 1; i <= 254 && out.length < count; i++) {
      const ip = `${net}.${i}`;
      if (orderCandidates(nodes, ip)[0] === owner) out.push(ip);
    }
  if (out.length < count) throw new Error(`only ${out.length} IPs of the bench pool go to ${owner}`);
  return out;
}

/** A LoadBalancer Service with `ips` in its status and an endpoint on every node (what the controller and kubelet would make). */
async function demoService(
  core: CoreV1Api,
  discovery: DiscoveryV1Api,
  name: string,
  ips: string[],
  nodes: string[],
): Promise<void> {
  await core.createNamespacedService({
    namespace: 'demo',
    body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: PORT }] } },
  });
  const svc = await core.readNamespacedService({ name, namespace: 'demo' });
  svc.status = { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } };
  await core.replaceNamespacedServiceStatus({ name, namespace: 'demo', body: svc });
  await discovery.createNamespacedEndpointSlice({
    namespace: 'demo',
    body: {
      metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: nodes.map((nodeName, i) => ({ addresses: [`10.244.${i}.10`], nodeName, conditions: { ready: true } })),
      ports: [{ port: PORT }],
    },
  });
}

const GOAL_DEFAULTS = 'p99 <= 1000 ms with the defaults';
const GOAL_GRACEFUL = '<= 100 ms';
const GOAL_TUNED = 'p99 <= 250 ms tuned';

/**
 * FerroLB with N speakers. `membership`: memberlist (gossip notices the death) or pods (the kill also
 * marks the speaker Pod not Ready at once, as a kubelet would much later: the API path alone). With
 * `full`: also the graceful handover and the "100 IPs" case, in the same lab after the kills.
 */
async function ferrolb(
  nodes: number,
  kills: number,
  membership: 'memberlist' | 'pods',
  full = false,
  fast = false,
): Promise<string[]> {
  const cluster = await startCluster();
  let lab: SpeakerLab | undefined;
  try {
    for (const text of installManifests()) await cluster.apply(text);
    lab = await SpeakerLab.start(cluster, {
      nodes,
      prefix: `fff${process.pid % 10000}`,
      speakerArgs: [
        '--membership',
        membership,
        '--log-level',
        'warn',
        ...(fast ? ['--memberlist-profile', 'fast'] : []),
      ],
      config: false,
    });
    const l = lab;
    await cluster.apply(BENCH_CONFIG);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const discovery = cluster.kubeConfig.makeApiClient(DiscoveryV1Api);
    // The memberlist Secret, as the controller would create it.
    await core.createNamespacedSecret({
      namespace: 'ferrolb-system',
      body: {
        metadata: { name: 'memberlist' },
        data: { secretkey: Buffer.from(`bench-${Date.now()}`).toString('base64') },
      },
    });
    await core.createNamespace({ body: { metadata: { name: 'demo' } } });
    const names = l.net.nodes.map((n) => n.name);
    await demoService(core, discovery, 'web', [VIP], names);
    l.net.holdIps([VIP]);
    l.net.serveTcp(PORT);
    for (const n of l.net.nodes) await l.startSpeaker(n);
    const how =
      membership === 'pods'
        ? 'speaker Pod readiness via the API'
        : fast
          ? 'gossip, --memberlist-profile fast'
          : 'gossip';
    const label = `FerroLB N=${nodes} (${how})`;
    const sys: FailoverSystem = {
      name: label,
      start: async (i) => {
        const node = l.net.nodes[i]!;
        if (membership === 'pods') await setSpeakerPod(core, node.name, node.ip, true);
        await l.startSpeaker(node);
      },
      kill: (i) => {
        const node = l.net.nodes[i]!;
        l.speakers.get(node.name)?.kill('SIGKILL');
        if (membership === 'pods') void setSpeakerPod(core, node.name, node.ip, false);
      },
      stopGracefully: async (i) => {
        const s = l.speakers.get(l.net.nodes[i]!.name);
        s?.kill('SIGTERM');
        await s?.waitExit();
      },
      settled: () => everySpeakerSeesAll(l),
      expectedOwner: () => names.indexOf(orderCandidates(names, VIP)[0]!),
    };
    const probe = new OutageProbe(l.net.clientNs, VIP, PORT);
    try {
      await everySpeakerSeesAll(l);
      const quiet = await steadyWindow(l, 30_000);
      let idle = '';
      const measureIdle = (): void => void (idle = idleRssLine(l));
      const results = await killLoop(l.net, sys, kills, probe, { beforeFirst: measureIdle });
      const lines = [...report(label, results, { p99: fast ? GOAL_TUNED : GOAL_DEFAULTS }), idle, quiet];
      if (full) {
        const handovers = await killLoop(l.net, sys, Math.min(kills, 10), probe, { graceful: true });
        lines.push(...report(`${label}, graceful handover (SIGTERM)`, handovers, { p99: GOAL_GRACEFUL }));
        // 100 more Services, every IP owned by the node that owns VIP: the kill moves 101 IPs at once.
        const ips = ipsOwnedWithVip(names, MANY);
        for (let i = 0; i < ips.length; i += 10)
          await Promise.all(
            ips.slice(i, i + 10).map((ip, j) => demoService(core, discovery, `many-${i + j}`, [ip], names)),
          );
        l.net.holdIps(ips);
        for (const cidr of ['198.51.100.0/24', '203.0.113.0/24'])
          l.net.exec(l.net.clientNs, ['ip', 'route', 'replace', cidr, 'dev', 'fsp0']);
        const many = new MultiPingProbe(l.net.clientNs, ips, MANY_INTERVAL_MS);
        try {
          const moved = await killLoop(l.net, sys, Math.min(kills, 10), probe, { many: { ips, probe: many } });
          lines.push(
            ...report(`${label}, ${VIP} + ${MANY} IPs owned by the killed node`, moved, {
              p99: GOAL_DEFAULTS,
              many: `the same p99 as one IP`,
            }),
          );
        } finally {
          many.stop();
        }
      }
      return lines;
    } finally {
      probe.stop();
    }
  } finally {
    await lab?.stop();
    await cluster.stop();
  }
}

/** VmRSS and its two parts (KiB) of a live process, or undefined once it has exited. */
function rssOf(pid: number): { rss: number; anon: number; file: number } | undefined {
  const rss = procStatusKib(pid, 'VmRSS');
  const anon = procStatusKib(pid, 'RssAnon');
  const file = procStatusKib(pid, 'RssFile');
  return rss === undefined || anon === undefined || file === undefined ? undefined : { rss, anon, file };
}
const mib = (kib: number): string => (kib / 1024).toFixed(1);
const rssText = (r: { rss: number; anon: number; file: number }): string =>
  `${mib(r.rss)} MiB (anon ${mib(r.anon)} + file ${mib(r.file)})`;
/** How the lab's speakers run: as the DaemonSet (the bundle, NODE_OPTIONS, the command's V8 flags). */
const speakerStart = (): string =>
  `NODE_OPTIONS ${JSON.stringify(speakerNodeOptions())}, V8 flags ${JSON.stringify(speakerV8Flags().join(' '))}, env ${JSON.stringify(speakerEnv())}, the bundle dist/speaker/main.mjs as in the image`;

/** The speakers' memory now, each as VmRSS (anonymous + file-backed: mostly the node binary's pages). */
function idleRssLine(l: SpeakerLab): string {
  const each = [...l.speakers.values()].flatMap((s) => {
    const r = rssOf(s.pid);
    return r ? [rssText(r)] : [];
  });
  return `  speaker idle RSS (VmRSS, steady state; ${speakerStart()}): ${each.join(', ')}   (goal: <= 60 MiB)`;
}

/**
 * The baseline: the same node binary with the same NODE_OPTIONS and V8 flags running nothing but a timer
 * (what the Node runtime itself costs); with `release`, it also releases its start's pages of the
 * executable after 1 s, as the speaker does 5 s after it is ready. Stopped by the returned function.
 */
function bareNode(release: boolean): { pid: number; stop: () => void } {
  const script = release
    ? `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(ADDON_PATH)}); setTimeout(() => m.exports.releaseExecutablePages(), 1000); setTimeout(() => {}, 1e9)`
    : 'setTimeout(() => {}, 1e9)';
  const child = spawn(PROJECT_NODE, [...speakerV8Flags(), '-e', script], {
    env: speakerProcessEnv({ NODE_OPTIONS: speakerNodeOptions() }),
    stdio: 'ignore',
  });
  if (child.pid === undefined) throw new Error('cannot start a bare node for the RSS baseline');
  return { pid: child.pid, stop: () => void child.kill('SIGKILL') };
}

/**
 * One line per speaker: VmRSS and its parts, and the speaker's own private memory (its anonymous pages
 * beyond the bare node's); the file part is the node binary's (and libraries') pages it has mapped.
 */
function rssLines(l: SpeakerLab, bare: { plain: number; released: number }, when: string): string[] {
  const base = rssOf(bare.plain);
  const released = rssOf(bare.released);
  if (!base || !released) throw new Error('a bare node baseline exited');
  return [
    `  bare node ${when} (same binary, NODE_OPTIONS and V8 flags; a timer only): ${rssText(base)}; with its start's pages released: ${rssText(released)}`,
    ...[...l.speakers.values()].map((s) => {
      const r = rssOf(s.pid);
      if (!r) return `  speaker ${s.nodeName} ${when}: exited (${s.exited() ?? '?'})`;
      return `  speaker ${s.nodeName} ${when}: ${rssText(r)}, its own anon (beyond the bare node's) ${mib(r.anon - base.anon)} MiB   (goal: <= 60 MiB)`;
    }),
  ];
}

/** CPU time (ms) every thread of `pid` has run (/proc/PID/task/* /schedstat, ns): finer than /proc/PID/stat's ticks. */
function runMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`))
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  return ns / 1e6;
}

/**
 * ARP requests for VIP sent from the client, one every 5 ms: how many the owner answered, and its CPU time
 * meanwhile (its idle gossip included, ~1.5 % of a core) — so V8 flags can be compared on the fast path.
 */
async function arpWork(l: SpeakerLab, owner: NetNode, count: number): Promise<{ answered: number; cpuMs: number }> {
  const answered = async (): Promise<number> => {
    const m = /^metallb_layer2_responses_sent\{[^}]*\} (\d+)/m.exec((await l.get(owner, '/metrics')).body);
    return m ? Number(m[1]) : 0;
  };
  const pid = l.speakers.get(owner.name)?.pid;
  if (pid === undefined) throw new Error(`no speaker on ${owner.name}`);
  const before = await answered();
  const cpu0 = runMs(pid);
  const r = spawnSync(
    'ip',
    ['netns', 'exec', l.net.clientNs, 'arping', '-q', '-c', String(count), '-W', '0.005', '-I', 'fsp0', VIP],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.error) throw new Error(`arping: ${r.error.message}`);
  await sleep(500); // the last requests' answers
  const cpuMs = runMs(pid) - cpu0;
  return { answered: (await answered()) - before, cpuMs };
}

/**
 * When the rss bench takes its steady-state figure, from the moment every speaker sees the others: after
 * the informers' first re-watch (the API server ends each watch after its timeoutSeconds, 300 s, and the
 * new watch's TLS handshake runs code the speaker released after its start).
 */
const STEADY_MS = 360_000;

/**
 * Speaker RSS alone (FAILOVER_ONLY=rss): N=3 speakers with gossip, one Service, steady, 10 s idle; then
 * 1,000 ARP requests answered by the owner and 10 s idle again; then 6 minutes after the start (the
 * steady state: the first seconds' figure is lower, V8's start-up collections having just run, and the
 * speaker has released its start's code pages only seconds before). Next to each: two bare nodes measured
 * at the same moment, one as started and one that released its start's pages too. To compare V8 flags or
 * NODE_OPTIONS, set FERROLB_SPEAKER_V8_FLAGS / FERROLB_SPEAKER_NODE_OPTIONS /
 * FERROLB_SPEAKER_MALLOC_ARENA_MAX (the bare nodes take them too).
 */
async function idleRss(): Promise<string[]> {
  const cluster = await startCluster();
  let lab: SpeakerLab | undefined;
  let bare: ReturnType<typeof bareNode> | undefined;
  let bareReleased: ReturnType<typeof bareNode> | undefined;
  try {
    for (const text of installManifests()) await cluster.apply(text);
    lab = await SpeakerLab.start(cluster, {
      nodes: 3,
      prefix: `ffm${process.pid % 10000}`,
      speakerArgs: ['--membership', 'memberlist', '--log-level', 'warn'],
      config: false,
    });
    await cluster.apply(BENCH_CONFIG);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({
      namespace: 'ferrolb-system',
      body: { metadata: { name: 'memberlist' }, data: { secretkey: Buffer.from('bench-rss').toString('base64') } },
    });
    await core.createNamespace({ body: { metadata: { name: 'demo' } } });
    const names = lab.net.nodes.map((n) => n.name);
    await demoService(core, cluster.kubeConfig.makeApiClient(DiscoveryV1Api), 'web', [VIP], names);
    bare = bareNode(false);
    bareReleased = bareNode(true);
    const bares = { plain: bare.pid, released: bareReleased.pid };
    for (const n of lab.net.nodes) await lab.startSpeaker(n);
    await everySpeakerSeesAll(lab);
    const allUp = Date.now();
    await sleep(10_000);
    const lines = [`  speaker RSS (VmRSS = anon + file; ${speakerStart()}):`, ...rssLines(lab, bares, 'idle 10 s')];
    const owner = lab.net.nodes[names.indexOf(orderCandidates(names, VIP)[0]!)]!;
    const work = await arpWork(lab, owner, 1000);
    await sleep(10_000);
    lines.push(
      ...rssLines(lab, bares, `after 1000 ARP requests (${work.answered} answered by ${owner.name}) + 10 s idle`),
      `  ${owner.name}'s CPU time while answering them (over ~6 s, its idle gossip included): ${work.cpuMs.toFixed(0)} ms`,
    );
    // Steady state: what an idle speaker holds once the start is minutes behind it.
    await sleep(Math.max(0, STEADY_MS - (Date.now() - allUp)));
    lines.push(...rssLines(lab, bares, `after ${STEADY_MS / 60_000} minutes of gossip`));
    return lines;
  } finally {
    bare?.stop();
    bareReleased?.stop();
    await lab?.stop();
    await cluster.stop();
  }
}

/** Sum of a Prometheus counter's samples whose line matches `re` (name and labels). */
function counterSum(text: string, re: RegExp): number {
  let sum = 0;
  for (const line of text.split('\n')) if (re.test(line)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  return sum;
}

/**
 * The steady state's price, before any kill: over `ms` of idling, the failed probes, suspicions and deaths
 * every speaker saw (a live member suspected or declared dead is a false alarm) and each speaker's CPU.
 */
async function steadyWindow(l: SpeakerLab, ms: number): Promise<string> {
  const failed = /^ferrolb_memberlist_probes_total\{[^}]*result="failed"/;
  const suspect = /^ferrolb_memberlist_events_total\{[^}]*state="suspect"/;
  const dead = /^ferrolb_memberlist_events_total\{[^}]*state="dead"/;
  const read = async () => {
    const texts = await Promise.all(l.net.nodes.map(async (n) => (await l.get(n, '/metrics')).body));
    const sum = (re: RegExp) => texts.reduce((a, t) => a + counterSum(t, re), 0);
    const cpu = [...l.speakers.values()].map((s) => {
      try {
        return runMs(s.pid);
      } catch {
        return NaN; // exited
      }
    });
    return { failed: sum(failed), suspect: sum(suspect), dead: sum(dead), cpu };
  };
  const a = await read();
  const t0 = Date.now();
  await sleep(ms);
  const b = await read();
  const secs = (Date.now() - t0) / 1000;
  const cpu = b.cpu.map((ms, i) => `${(((ms - (a.cpu[i] ?? NaN)) / (secs * 1000)) * 100).toFixed(2)} %`);
  return `  steady state, ${secs.toFixed(0)} s before the first kill: ${b.failed - a.failed} failed probes, ${b.suspect - a.suspect} suspicions, ${b.dead - a.dead} deaths (false alarms), speaker CPU ${cpu.join(', ')} of a core`;
}

/** Every speaker sees every member alive (a node that came back has rejoined); rejects after 60 s. */
async function everySpeakerSeesAll(l: SpeakerLab): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    let all = true;
    for (const n of l.net.nodes) {
      const m = /ferrolb_speaker_members_alive (\d+)/.exec((await l.get(n, '/metrics')).body);
      if (!m || Number(m[1]) !== l.net.nodes.length) all = false;
    }
    if (all) return;
    if (Date.now() > end) throw new Error('timed out after 60 s waiting for every speaker to see all members alive');
    await sleep(100);
  }
}

export async function run(): Promise<string[]> {
  if (process.getuid?.() !== 0) throw new Error('the failover benchmark needs root (network namespaces)');
  for (const script of ['scripts/l2-tools.sh', 'scripts/failover-tools.sh']) {
    const ready = spawnSync('bash', [script], { encoding: 'utf8' });
    if (ready.status !== 0) throw new Error(`${script} failed: ${ready.stderr}`);
  }
  const quick = process.argv.includes('--quick');
  const kills = Number(process.env.FAILOVER_KILLS ?? (quick ? 3 : 20));
  const lines: string[] = [
    `client ${CLIENT_IP} probes ${VIP}: ping -i 0.01 and a TCP connect every 10 ms; a kill = kill -9 + link down; ${kills} kills per case${quick ? ' (--quick)' : ''}`,
  ];
  // FAILOVER_ONLY: a comma list of parts (keepalived, n3, n5, f3, f5 (= --memberlist-profile fast), pods, rss;
  // memberlist = n3,n5); default all but pods, rss.
  const only = new Set(
    (process.env.FAILOVER_ONLY ?? 'keepalived,n3,n5,f3,f5')
      .split(',')
      .flatMap((p) => (p === 'memberlist' ? ['n3', 'n5'] : [p])),
  );
  if (only.has('keepalived')) {
    lines.push(...(await baseline(1, Math.min(kills, 5))));
    lines.push(...(await baseline(0.1, kills)));
  }
  if (only.has('pods')) lines.push(...(await ferrolb(3, kills, 'pods')));
  if (only.has('rss')) lines.push(...(await idleRss()));
  if (only.has('n3')) lines.push(...(await ferrolb(3, kills, 'memberlist', true)));
  if (only.has('n5')) lines.push(...(await ferrolb(5, kills, 'memberlist')));
  if (only.has('f3')) lines.push(...(await ferrolb(3, kills, 'memberlist', false, true)));
  if (only.has('f5')) lines.push(...(await ferrolb(5, kills, 'memberlist', false, true)));
  return lines;
}
