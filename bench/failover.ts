// `npm run bench -- failover`: what a client sees when the owner of a LoadBalancer IP dies. A client
// namespace pings the IP every 10 ms and opens a TCP connection every 10 ms; the owner node "dies"
// (kill -9 of its daemon and its link cut at the same instant); the outage is the gap between the last
// success before and the first after. Baseline in the same run, same namespaces, same probes:
// keepalived (VRRP) with its default 1 s adverts and with 100 ms adverts.
import { spawnSync } from 'node:child_process';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { installManifests, startCluster } from '../src/lab/index.ts';
import { SpeakerLab, setSpeakerPod } from '../src/lab/speaker-lab.ts';
import { KeepalivedLab } from '../src/lab/keepalived.ts';
import { OutageProbe } from '../src/lab/outage-probe.ts';
import {
  CLIENT_IP,
  SpeakerNet,
  answeringMacs,
  macOf,
  neighbourMac,
  pidsIn,
  removeLeftoverNamespaces,
} from '../src/lab/speaker-net.ts';

const VIP = '192.0.2.200';
const PORT = 8080;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Kill {
  icmp?: number;
  tcp?: number;
  /** No answer within 30 s of the kill. */
  unrecovered?: boolean;
}

export function summary(label: string, xs: number[]): string {
  if (xs.length === 0) return `${label}: no sample`;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number;
  const f = (v: number) => `${v.toFixed(0)} ms`;
  return `${label}: n=${s.length} min ${f(s[0] as number)}  median ${f(q(0.5))}  p99 ${f(q(0.99))}  max ${f(s[s.length - 1] as number)}`;
}

export function report(name: string, results: Kill[]): string[] {
  const lost = results.filter((r) => r.unrecovered).length;
  return [
    summary(
      `${name}, ping outage (${results.length} kills${lost ? `, ${lost} not recovered within 30 s` : ''})`,
      results.flatMap((r) => (r.icmp !== undefined ? [r.icmp] : [])),
    ),
    summary(
      `${name}, TCP connect outage`,
      results.flatMap((r) => (r.tcp !== undefined ? [r.tcp] : [])),
    ),
  ];
}

/** Who answers for the VIP now, as the client sees it (node index), after a ping refreshed the entry. */
export function ownerIndex(net: SpeakerNet): number | undefined {
  const mac = neighbourMac(net.clientNs, VIP);
  if (!mac) return undefined;
  const i = net.nodes.findIndex((n) => macOf(n.ns, n.ifname) === mac);
  return i >= 0 ? i : undefined;
}

async function waitUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function waitUntilAsync(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
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
  /** Resolves once the system has settled after a node came back (ownership no longer moving). */
  settled?(): Promise<void>;
}

/** `kills` rounds: kill the owner + cut its link; measure; bring the node back; wait until stable. */
export async function killLoop(
  net: SpeakerNet,
  sys: FailoverSystem,
  kills: number,
  probe: OutageProbe,
  graceful = false,
): Promise<Kill[]> {
  const out: Kill[] = [];
  for (let k = 0; k < kills; k++) {
    const healthy = await waitUntil('client probes healthy', () => probe.healthySince(Date.now() - 200), 30_000).catch(
      () => false,
    );
    if (!healthy) {
      out.push({ unrecovered: true });
      if (out.filter((r) => r.unrecovered).length >= 3) break; // broken for good: stop this scenario
      continue;
    }
    const owner = await waitUntil('an owner in the client neighbour table', () => ownerIndex(net), 30_000);
    const node = net.nodes[owner]!;
    if (process.env.FAILOVER_DEBUG)
      console.error(
        `kill ${k}: owner ${node.name} (client neigh ${net.exec(net.clientNs, ['ip', 'neigh', 'show', VIP]).trim()}) answering ${answeringMacs(
          net.clientNs,
          'fsp0',
          VIP,
          1,
        )
          .map((m) => net.nodes.find((n) => macOf(n.ns, n.ifname) === m)?.name)
          .join(',')}`,
      );
    const t = Date.now();
    if (graceful) await sys.stopGracefully?.(owner);
    else {
      net.exec(node.ns, ['ip', 'link', 'set', node.ifname, 'down']);
      sys.kill(owner);
    }
    const recovered = await waitUntil(
      'probes answered again after the kill',
      () => probe.samples.icmp.some((x) => x > t) && probe.samples.tcp.some((x) => x > t),
      30_000,
    ).catch(() => false);
    await sleep(100);
    out.push(recovered ? probe.outage(t) : { unrecovered: true });
    if (process.env.FAILOVER_DEBUG) console.error(`  outage ${JSON.stringify(out.at(-1))}`);
    // Back: clear what the killed daemon left (keepalived's VIP), the link, then the daemon.
    sys.prepare?.(owner);
    if (!graceful) net.exec(node.ns, ['ip', 'link', 'set', node.ifname, 'up']);
    await sys.start(owner);
    await sys.settled?.();
    await sleep(1500);
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
  const prefix = `fspb${process.pid % 10000}`;
  removeLeftoverNamespaces(prefix);
  const net = SpeakerNet.create(prefix, 3);
  try {
    net.serveTcp(PORT);
    const sys = keepalivedSystem(net, advert);
    for (let i = 0; i < net.nodes.length; i++) await sys.start(i);
    const probe = new OutageProbe(net.clientNs, VIP, PORT);
    try {
      const results = await killLoop(net, sys, kills, probe);
      return report(sys.name, results);
    } finally {
      probe.stop();
    }
  } finally {
    net.destroy();
  }
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

/**
 * FerroLB with N speakers. `membership`: memberlist (gossip notices the death) or pods (the kill also
 * marks the speaker Pod not Ready at once, as a kubelet would much later: the API path alone).
 */
async function ferrolb(
  nodes: number,
  kills: number,
  membership: 'memberlist' | 'pods',
  extraIps = 0,
): Promise<string[]> {
  const cluster = await startCluster();
  let lab: SpeakerLab | undefined;
  try {
    for (const text of installManifests()) await cluster.apply(text);
    lab = await SpeakerLab.start(cluster, {
      nodes,
      prefix: `fspf${process.pid % 10000}`,
      speakerArgs: ['--membership', membership, '--log-level', 'warn'],
    });
    const l = lab;
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
    // More IPs owned by whichever node owns VIP's neighbours in the hash: spread over the pool.
    const extra = Array.from({ length: extraIps }, (_, i) => `192.0.2.${150 + (i % 50)}`).slice(0, extraIps);
    for (const [i, ip] of extra.entries()) await demoService(core, discovery, `extra-${i}`, [ip], names);
    l.net.holdIps([VIP, ...extra]);
    l.net.serveTcp(PORT);
    for (const n of l.net.nodes) await l.startSpeaker(n);
    const sys: FailoverSystem = {
      name: `FerroLB N=${nodes} (${membership === 'memberlist' ? 'gossip' : 'speaker Pod readiness via the API'})${extraIps ? ` + ${extraIps} IPs` : ''}`,
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
      // Every speaker sees every member alive again: the node that came back has taken its IPs back.
      settled: () =>
        waitUntilAsync(
          'every speaker to see all members alive',
          async () => {
            for (const n of l.net.nodes) {
              const m = /ferrolb_speaker_members_alive (\d+)/.exec((await l.get(n, '/metrics')).body);
              if (!m || Number(m[1]) !== l.net.nodes.length) return false;
            }
            return true;
          },
          60_000,
        ),
    };
    const probe = new OutageProbe(l.net.clientNs, VIP, PORT);
    try {
      const idleRss = [...l.speakers.values()].map((s) => s.rssKib()).filter((x): x is number => x !== undefined);
      const results = await killLoop(l.net, sys, kills, probe);
      const lines = [
        ...report(sys.name, results),
        `  speaker RSS idle before the kills: ${idleRss.map((k) => `${(k / 1024).toFixed(0)} MiB`).join(', ')}`,
      ];
      if (membership === 'memberlist' && nodes === 3) {
        const handovers = await killLoop(l.net, sys, Math.min(kills, 10), probe, true);
        lines.push(...report(`${sys.name}, graceful handover (SIGTERM)`, handovers));
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

export async function run(): Promise<string[]> {
  if (process.getuid?.() !== 0) throw new Error('the failover benchmark needs root (network namespaces)');
  for (const script of ['scripts/l2-tools.sh', 'scripts/failover-tools.sh']) {
    const ready = spawnSync('bash', [script], { encoding: 'utf8' });
    if (ready.status !== 0) throw new Error(`${script} failed: ${ready.stderr}`);
  }
  const lines: string[] = [
    `client ${CLIENT_IP} probes ${VIP}: ping -i 0.01 and a TCP connect every 10 ms; a kill = kill -9 + link down`,
  ];
  const kills = Number(process.env.FAILOVER_KILLS ?? 20);
  const only = process.env.FAILOVER_ONLY;
  if (!only || only === 'keepalived') {
    lines.push(...(await baseline(1, Math.min(kills, 5))));
    lines.push(...(await baseline(0.1, kills)));
  }
  if (!only || only === 'pods') lines.push(...(await ferrolb(3, kills, 'pods')));
  if (!only || only === 'memberlist') {
    lines.push(...(await ferrolb(3, kills, 'memberlist')));
    lines.push(...(await ferrolb(5, kills, 'memberlist')));
  }
  return lines;
}
