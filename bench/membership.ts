// Membership benchmark: FerroLB's `ferrolb memberlist` (defaults) next to hashicorp/memberlist v0.5.1
// (scripts/memberlist-baseline) with MetalLB's settings (DefaultLANConfig) and with tuned settings (probe
// 200 ms, timeout 100 ms, SuspicionMult 2), in the same run, the same namespaces (src/lab/membership-netns.ts:
// one bridge, 198.51.100.0/24), the same kills and the same nftables loss. Every implementation prints
// `<unix_ms> join|leave|update <node> <state>`; times are taken from those lines against the wall clock
// read just before the kill/signal/heal (same host, same clock).
//
//   npm run bench -- membership [--quick] [--loss10-s=600] [--loss20-s=120] [--kills=10] [--leaves=5]
//                               [--idle-s=30] [--n5=1|0] [--n50=1|0] [--only=ferrolb,metallb,tuned]
//
// Figures: kill -9 → each survivor reports it (N=5 and N=50; min/median/p99/max over all survivor
// reports); graceful leave (SIGTERM → each survivor reports "left"); false deaths (reports of a live member
// as dead, summed over observers) at 10 % and 20 % loss (nftables numgen random on every node's input);
// healed partition → every member sees every member alive; bytes/s and CPU per member at idle.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MembershipLab, baselineCommand, ferrolbCommand } from '../src/lab/membership-netns.ts';
import type { LabNode, NodeCommand } from '../src/lab/membership-netns.ts';

interface Flags {
  quick: boolean;
  loss10: number;
  loss20: number;
  kills: number;
  leaves: number;
  idle: number;
  n5: boolean;
  n50: boolean;
  only: string[];
}

function flags(): Flags {
  const args = new Map<string, string>();
  for (const a of process.argv.slice(2)) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (m) args.set(m[1] as string, m[2] ?? '1');
  }
  const quick = args.has('quick');
  const num = (k: string, full: number, q: number): number => (args.has(k) ? Number(args.get(k)) : quick ? q : full);
  return {
    quick,
    loss10: num('loss10-s', 600, 60),
    loss20: num('loss20-s', 120, 30),
    kills: num('kills', 10, 3),
    leaves: num('leaves', 5, 2),
    idle: num('idle-s', 30, 10),
    n5: num('n5', 1, 1) !== 0,
    n50: num('n50', 1, 1) !== 0,
    only: (args.get('only') ?? 'ferrolb,metallb,tuned').split(','),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stateSeen(o: LabNode, name: string): string | undefined {
  for (let i = o.lines.length - 1; i >= 0; i--) if (o.lines[i]?.node === name) return o.lines[i]?.state;
  return undefined;
}

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

function allAlive(nodes: LabNode[]): boolean {
  return nodes.every((o) => nodes.every((n) => n === o || stateSeen(o, n.name) === 'alive'));
}

function aliveFraction(nodes: LabNode[]): number {
  let alive = 0;
  for (const o of nodes) for (const n of nodes) if (n !== o && stateSeen(o, n.name) === 'alive') alive++;
  return alive / (nodes.length * (nodes.length - 1));
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

function dist(xs: number[]): string {
  if (xs.length === 0) return 'n/a';
  return `min ${Math.min(...xs)} / median ${pct(xs, 50)} / p99 ${pct(xs, 99)} / max ${Math.max(...xs)} ms (n=${xs.length})`;
}

function cpuTicks(n: LabNode): number {
  const f = readFileSync(`/proc/${n.child?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(f[11]) + Number(f[12]);
}

function ifBytes(n: LabNode): number {
  const j = JSON.parse(
    execFileSync('ip', ['-n', n.ns, '-s', '-j', 'link', 'show', 'flm0'], { encoding: 'utf8' }),
  ) as Array<{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }>;
  return (j[0]?.stats64.tx.bytes ?? 0) + (j[0]?.stats64.rx.bytes ?? 0);
}

interface Impl {
  name: string;
  command: NodeCommand;
}

async function startCluster(n: number, impl: Impl, out: string[]): Promise<MembershipLab | undefined> {
  const lab = MembershipLab.create(n);
  const seeds = ['198.51.100.1:7946', '198.51.100.2:7946'];
  for (const node of lab.nodes) {
    lab.start(node, impl.command, seeds);
    if (n > 10) await sleep(150); // 50 Node processes starting at once on 2 cores only slows all of them
  }
  const t0 = Date.now();
  // On a loaded 2-core machine 50 processes rarely show every pair alive at one instant: N=50 proceeds at
  // 99 % of the pairs (and says so).
  const need = n > 10 ? 0.99 : 1;
  if (!(await waitFor(() => aliveFraction(lab.nodes) >= need, n > 10 ? 600_000 : 60_000))) {
    out.push(
      `  ${impl.name} N=${n}: the cluster did not converge in time (${(100 * aliveFraction(lab.nodes)).toFixed(1)} % of pairs alive); skipped`,
    );
    await lab.destroy();
    return undefined;
  }
  out.push(
    `  ${impl.name} N=${n}: ${(100 * aliveFraction(lab.nodes)).toFixed(1)} % of pairs alive ${Date.now() - t0} ms after the last start`,
  );
  return lab;
}

async function idle(lab: MembershipLab, impl: Impl, seconds: number, out: string[]): Promise<void> {
  const c0 = lab.nodes.map(cpuTicks);
  const b0 = lab.nodes.map(ifBytes);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const dt = (Date.now() - t0) / 1000;
  const cpu = lab.nodes.map((n, i) => ((cpuTicks(n) - (c0[i] as number)) / 100 / dt) * 100);
  const bytes = lab.nodes.map((n, i) => (ifBytes(n) - (b0[i] as number)) / dt);
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  out.push(
    `  ${impl.name} N=${lab.nodes.length} idle ${seconds} s: CPU per member ${avg(cpu).toFixed(2)} % of a core (max ${Math.max(...cpu).toFixed(2)}), bytes/s per member (rx+tx) ${avg(bytes).toFixed(0)}`,
  );
}

async function kills(
  lab: MembershipLab,
  impl: Impl,
  count: number,
  signal: 'SIGKILL' | 'SIGTERM',
  out: string[],
): Promise<void> {
  const samples: number[] = [];
  let missed = 0;
  const want = signal === 'SIGKILL' ? ['dead', 'left'] : ['left', 'dead'];
  for (let k = 0; k < count; k++) {
    const victim = lab.nodes[2 + ((k * 7) % (lab.nodes.length - 2))] as LabNode;
    const survivors = lab.nodes.filter((n) => n !== victim && stateSeen(n, victim.name) === 'alive');
    const at = Date.now();
    await lab.stop(victim, signal, 10_000);
    const ok = await waitFor(() => survivors.every((s) => want.includes(stateSeen(s, victim.name) ?? '')), 90_000);
    for (const s of survivors) {
      const l = s.lines.find((x) => x.t >= at && x.node === victim.name && want.includes(x.state));
      if (l) samples.push(l.t - at);
      else missed++;
    }
    lab.start(victim, impl.command, ['198.51.100.1:7946', '198.51.100.2:7946']);
    const need = lab.nodes.length > 10 ? 0.99 : 1;
    if (!ok || !(await waitFor(() => aliveFraction(lab.nodes) >= need, 180_000))) {
      out.push(`  ${impl.name}: cluster did not recover after ${signal} ${k + 1}; stopping this series`);
      break;
    }
    await sleep(1_000);
  }
  const what = signal === 'SIGKILL' ? 'kill -9 → survivor reports dead' : 'SIGTERM → survivor reports left';
  out.push(
    `  ${impl.name} N=${lab.nodes.length} ${what}: ${dist(samples)}${missed ? `, ${missed} reports missing` : ''}`,
  );
}

async function partition(lab: MembershipLab, impl: Impl, out: string[]): Promise<void> {
  const half = Math.ceil(lab.nodes.length / 2);
  const a = lab.nodes.slice(0, half);
  const b = lab.nodes.slice(half);
  lab.partition([a, b]);
  const split = await waitFor(
    () =>
      a.every((o) => b.every((n) => ['dead', 'left'].includes(stateSeen(o, n.name) ?? ''))) &&
      b.every((o) => a.every((n) => ['dead', 'left'].includes(stateSeen(o, n.name) ?? ''))),
    90_000,
  );
  lab.partition([]);
  const at = Date.now();
  if (!split) {
    out.push(
      `  ${impl.name} N=${lab.nodes.length} partition: the two sides did not both see the other dead within 90 s`,
    );
    return;
  }
  const merged = await waitFor(() => allAlive(lab.nodes), 150_000);
  out.push(
    `  ${impl.name} N=${lab.nodes.length} healed partition → merged (all alive everywhere): ${merged ? `${Date.now() - at} ms` : 'not within 150 s'}`,
  );
}

async function loss(lab: MembershipLab, impl: Impl, percent: number, seconds: number, out: string[]): Promise<void> {
  await waitFor(() => allAlive(lab.nodes), 60_000);
  const from = Date.now();
  lab.setLoss(percent);
  await sleep(seconds * 1000);
  lab.setLoss(0);
  const deaths = lab.nodes.flatMap((o) => o.lines.filter((l) => l.t >= from && l.state === 'dead'));
  const suspects = lab.nodes.flatMap((o) => o.lines.filter((l) => l.t >= from && l.state === 'suspect'));
  out.push(
    `  ${impl.name} N=${lab.nodes.length} ${percent} % loss for ${seconds} s: ${deaths.length} false deaths (reports summed over observers)${impl.name === 'ferrolb' ? `, ${suspects.length} suspicions` : ''}`,
  );
  await waitFor(() => allAlive(lab.nodes), 120_000);
}

export async function run(): Promise<string[]> {
  const f = flags();
  const out: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'flm-bench-'));
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const baseline = execFileSync('bash', [resolve(import.meta.dirname, '../scripts/memberlist-baseline.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop() as string;
  const impls: Impl[] = [
    {
      name: 'ferrolb',
      command: ferrolbCommand(process.execPath, resolve(import.meta.dirname, '../bin/ferrolb.ts'), keyFile),
    },
    { name: 'metallb', command: baselineCommand(baseline, keyFile, 'metallb') },
    { name: 'tuned', command: baselineCommand(baseline, keyFile, 'tuned') },
  ].filter((i) => f.only.includes(i.name));
  out.push(
    `flags: ${JSON.stringify(f)}; load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores, shared)`,
  );
  out.push(
    'ferrolb = `ferrolb memberlist` defaults; metallb = hashicorp/memberlist v0.5.1 DefaultLANConfig (+ re-join every 60 s as MetalLB); tuned = probe 200 ms, timeout 100 ms, SuspicionMult 2',
  );
  for (const impl of impls) {
    out.push(`${impl.name}:`);
    const lab = f.n5 ? await startCluster(5, impl, out) : undefined;
    if (lab) {
      try {
        await idle(lab, impl, f.idle, out);
        await kills(lab, impl, f.kills, 'SIGKILL', out);
        await kills(lab, impl, f.leaves, 'SIGTERM', out);
        await partition(lab, impl, out);
        await loss(lab, impl, 10, f.loss10, out);
        await loss(lab, impl, 20, f.loss20, out);
      } finally {
        await lab.destroy();
      }
    }
    if (f.n50) {
      const big = await startCluster(50, impl, out);
      if (big) {
        try {
          await idle(big, impl, f.idle, out);
          await kills(big, impl, f.kills, 'SIGKILL', out);
        } finally {
          await big.destroy();
        }
      }
    }
    console.log(out.join('\n'));
    out.length = 0;
  }
  out.push(`load average at end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  return out;
}
