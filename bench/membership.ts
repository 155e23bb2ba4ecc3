// Membership benchmark: FerroLB's `ferrolb memberlist` (defaults) next to hashicorp/memberlist v0.5.1
// (scripts/memberlist-baseline) with MetalLB's settings (DefaultLANConfig) and with tuned settings (probe
// 200 ms, timeout 100 ms, SuspicionMult 2), in the same run, the same namespaces (src/lab/membership-netns.ts:
// one bridge, 198.51.100.0/24), the same kills and the same nftables loss. Every implementation prints
// `<unix_ms> join|leave|update <node> <state>`; times are taken from those lines against the wall clock
// read just before the kill/signal/heal (same host, same clock).
//
//   npm run bench -- membership [--quick] [--loss10-s=600] [--loss20-s=120] [--kills=10] [--leaves=10]
//                               [--idle-s=30] [--n5=1|0] [--n50=1|0] [--loss=1|0] [--only=ferrolb,metallb,tuned]
//
// Two tracks run at the same time, then the N=50 part. In the background, one 5-member cluster per
// implementation (its own namespaces) sits under 10 % loss and then 20 % loss (nftables numgen random on
// every node's input); false deaths are counts, not latencies, so the three run concurrently. In the
// foreground, one implementation at a time: N=5 idle cost, kill -9 series, SIGTERM series, partition and
// heal. The background clusters add 15 mostly idle processes to the machine's load; every series prints
// the number of runnable threads sampled during it (the machine has 2 cores, shared). The N=50 part (idle
// cost and kill -9 series, one implementation at a time) waits for the loss track: 50 processes starve
// the loss clusters (a first version ran them together and counted the starvation as false deaths).
//
// Figures: kill -9 → each survivor reports it (min/median/p99/max over all survivor reports); graceful
// leave (SIGTERM → each survivor reports "left"); false deaths (reports of a live member as dead, summed
// over observers); healed partition → every member sees every member alive; bytes/s and CPU per member at
// idle, next to the floor of an empty Node process waking at the same rates.
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
  loss: boolean;
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
    loss10: num('loss10-s', 600, 120),
    loss20: num('loss20-s', 120, 60),
    kills: num('kills', 10, 5),
    leaves: num('leaves', 10, 3),
    idle: num('idle-s', 30, 15),
    n5: num('n5', 1, 1) !== 0,
    n50: num('n50', 1, 1) !== 0,
    loss: num('loss', 1, 1) !== 0,
    only: (args.get('only') ?? 'ferrolb,metallb,tuned').split(','),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const PEERS = ['198.51.100.1:7946', '198.51.100.2:7946'];

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

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Samples the kernel's count of runnable threads (procs_running) until stopped: the load during a series. */
function loadSampler(): () => string {
  const samples: number[] = [];
  const t = setInterval(() => {
    const m = /procs_running (\d+)/.exec(readFileSync('/proc/stat', 'utf8'));
    if (m) samples.push(Number(m[1]));
  }, 250);
  return () => {
    clearInterval(t);
    if (samples.length === 0) return 'load n/a';
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    return `runnable threads during it: mean ${mean.toFixed(1)}, p90 ${pct(samples, 90)}, max ${Math.max(...samples)} on ${cpus().length} cores; loadavg ${loadavg()}`;
  };
}

function cpuTicks(pid: number | undefined): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
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

/** Figures by implementation, for the summary table. */
type Results = Map<string, Map<string, string>>;

function record(results: Results, impl: string, figure: string, value: string): void {
  let m = results.get(impl);
  if (!m) results.set(impl, (m = new Map()));
  m.set(figure, value);
}

async function startCluster(
  n: number,
  impl: Impl,
  log: (s: string) => void,
  tag = 'fm',
): Promise<MembershipLab | undefined> {
  const lab = MembershipLab.create(n, tag);
  for (const node of lab.nodes) {
    lab.start(node, impl.command, PEERS);
    if (n > 10) await sleep(150); // 50 processes starting at once on 2 cores only slows all of them
  }
  const t0 = Date.now();
  // On a loaded 2-core machine 50 processes rarely show every pair alive at one instant: N=50 proceeds at
  // 99 % of the pairs (and says so).
  const need = n > 10 ? 0.99 : 1;
  if (!(await waitFor(() => aliveFraction(lab.nodes) >= need, n > 10 ? 600_000 : 60_000))) {
    log(
      `  ${impl.name} N=${n}: the cluster did not converge in time (${(100 * aliveFraction(lab.nodes)).toFixed(1)} % of pairs alive); skipped`,
    );
    await lab.destroy();
    return undefined;
  }
  log(
    `  ${impl.name} N=${n}: ${(100 * aliveFraction(lab.nodes)).toFixed(1)} % of pairs alive ${Date.now() - t0} ms after the last start`,
  );
  return lab;
}

/**
 * An empty Node process that wakes every `ms` (the floor of a Node process waking that often), measured
 * over the same window as the members.
 */
function floorProcess(ms: number): { pid: number | undefined; stop: () => void } {
  const child = spawn(process.execPath, ['-e', `setInterval(() => {}, ${ms})`], { stdio: 'ignore' });
  return { pid: child.pid, stop: () => child.kill('SIGKILL') };
}

async function idle(
  lab: MembershipLab,
  impl: Impl,
  seconds: number,
  log: (s: string) => void,
  results: Results,
): Promise<void> {
  // A FerroLB member at idle wakes for its probe tick (every 100 ms) and for ~4 events per probe period
  // (the ping it receives, the ack it gets, the cancelled timeout's timer): floors at 10 and 40 wakeups/s.
  const floors = [floorProcess(100), floorProcess(25)];
  await sleep(2_000);
  const c0 = lab.nodes.map((n) => cpuTicks(n.child?.pid));
  const f0 = floors.map((f) => cpuTicks(f.pid));
  const b0 = lab.nodes.map(ifBytes);
  const t0 = Date.now();
  const load = loadSampler();
  await sleep(seconds * 1000);
  const dt = (Date.now() - t0) / 1000;
  const during = load();
  const pctOf = (ticks: number): number => (ticks / 100 / dt) * 100;
  const cpu = lab.nodes.map((n, i) => pctOf(cpuTicks(n.child?.pid) - (c0[i] as number)));
  const floor = floors.map((f, i) => pctOf(cpuTicks(f.pid) - (f0[i] as number)));
  for (const f of floors) f.stop();
  const bytes = lab.nodes.map((n, i) => (ifBytes(n) - (b0[i] as number)) / dt);
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const n = lab.nodes.length;
  record(
    results,
    impl.name,
    `idle CPU per member, N=${n}`,
    `${avg(cpu).toFixed(2)} % (max ${Math.max(...cpu).toFixed(2)})`,
  );
  record(results, impl.name, `idle bytes/s per member (rx+tx), N=${n}`, avg(bytes).toFixed(0));
  log(
    `  ${impl.name} N=${n} idle ${seconds} s: CPU per member ${avg(cpu).toFixed(2)} % of a core (max ${Math.max(...cpu).toFixed(2)}; floor of an empty Node process waking every 100 ms ${(floor[0] as number).toFixed(2)} %, every 25 ms ${(floor[1] as number).toFixed(2)} %), bytes/s per member (rx+tx) ${avg(bytes).toFixed(0)}; ${during}`,
  );
}

async function kills(
  lab: MembershipLab,
  impl: Impl,
  count: number,
  signal: 'SIGKILL' | 'SIGTERM',
  log: (s: string) => void,
  results: Results,
): Promise<void> {
  const samples: number[] = [];
  let missed = 0;
  let done = 0;
  const want = signal === 'SIGKILL' ? ['dead', 'left'] : ['left', 'dead'];
  const load = loadSampler();
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
    done++;
    lab.start(victim, impl.command, PEERS);
    const need = lab.nodes.length > 10 ? 0.99 : 1;
    if (!ok || !(await waitFor(() => aliveFraction(lab.nodes) >= need, 180_000))) {
      log(`  ${impl.name}: cluster did not recover after ${signal} ${k + 1}; stopping this series`);
      break;
    }
    await sleep(1_000);
  }
  const what = signal === 'SIGKILL' ? 'kill -9 → survivor reports dead' : 'SIGTERM → survivor reports left';
  const n = lab.nodes.length;
  const figure = `${signal === 'SIGKILL' ? 'kill -9 → reported' : 'graceful leave → reported'}, N=${n} (ms)`;
  record(
    results,
    impl.name,
    figure,
    samples.length
      ? `${Math.min(...samples)} / ${pct(samples, 50)} / ${pct(samples, 99)} / ${Math.max(...samples)}`
      : 'n/a',
  );
  log(
    `  ${impl.name} N=${n} ${what} (${done} ${signal === 'SIGKILL' ? 'kills' : 'leaves'}): ${dist(samples)}${missed ? `, ${missed} reports missing` : ''}; ${load()}`,
  );
}

async function partition(lab: MembershipLab, impl: Impl, log: (s: string) => void, results: Results): Promise<void> {
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
  const figure = `healed partition → merged, N=${lab.nodes.length}`;
  if (!split) {
    record(results, impl.name, figure, 'no split within 90 s');
    log(`  ${impl.name} N=${lab.nodes.length} partition: the two sides did not both see the other dead within 90 s`);
    return;
  }
  const merged = await waitFor(() => allAlive(lab.nodes), 150_000);
  const v = merged ? `${Date.now() - at} ms` : 'not within 150 s';
  record(results, impl.name, figure, v);
  log(`  ${impl.name} N=${lab.nodes.length} healed partition → merged (all alive everywhere): ${v}`);
}

async function loss(
  lab: MembershipLab,
  impl: Impl,
  percent: number,
  seconds: number,
  log: (s: string) => void,
  results: Results,
): Promise<void> {
  await waitFor(() => allAlive(lab.nodes), 60_000);
  const from = Date.now();
  lab.setLoss(percent);
  await sleep(seconds * 1000);
  lab.setLoss(0);
  const to = Date.now();
  const deaths = lab.nodes.flatMap((o) => o.lines.filter((l) => l.t >= from && l.t <= to && l.state === 'dead'));
  const suspects = lab.nodes.flatMap((o) => o.lines.filter((l) => l.t >= from && l.t <= to && l.state === 'suspect'));
  record(
    results,
    impl.name,
    `false deaths, ${percent} % loss for ${seconds} s, N=${lab.nodes.length}`,
    String(deaths.length),
  );
  log(
    `  ${impl.name} N=${lab.nodes.length} ${percent} % loss for ${seconds} s: ${deaths.length} false deaths (reports summed over observers)${impl.name === 'ferrolb' ? `, ${suspects.length} suspicions` : ''}`,
  );
  await waitFor(() => allAlive(lab.nodes), 120_000);
}

/** The background track: one 5-member cluster per implementation, 10 % loss, then 20 % loss. */
async function lossTrack(impl: Impl, f: Flags, log: (s: string) => void, results: Results): Promise<void> {
  const lab = await startCluster(5, impl, log, 'fml');
  if (!lab) return;
  try {
    await loss(lab, impl, 10, f.loss10, log, results);
    await loss(lab, impl, 20, f.loss20, log, results);
  } finally {
    await lab.destroy();
  }
}

function table(results: Results, impls: Impl[]): string[] {
  const goals: Record<string, string> = {
    'kill -9 → reported, N=5 (ms)': 'p99 ≤ 1000',
    'kill -9 → reported, N=50 (ms)': 'p99 ≤ 1000',
    'graceful leave → reported, N=5 (ms)': 'p99 ≤ 100',
    'healed partition → merged, N=5': '≤ 5 s',
    'idle CPU per member, N=5': '< 1 %',
    'idle CPU per member, N=50': '< 1 %',
  };
  const figures: string[] = [];
  for (const impl of impls)
    for (const k of results.get(impl.name)?.keys() ?? []) if (!figures.includes(k)) figures.push(k);
  const lossGoal = (k: string): string =>
    k.startsWith('false deaths, 10 %')
      ? '0'
      : k.startsWith('false deaths, 20 %')
        ? results.get('tuned')?.get(k) !== undefined
          ? `≤ tuned/10 (${Math.floor(Number(results.get('tuned')?.get(k)) / 10)})`
          : '≤ tuned/10'
        : '';
  const rows = [
    ['figure (kill/leave: min / median / p99 / max)', ...impls.map((i) => i.name), 'goal (ferrolb)'],
    ...figures.map((k) => [k, ...impls.map((i) => results.get(i.name)?.get(k) ?? '—'), goals[k] ?? lossGoal(k)]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => `| ${r.map((v, c) => v.padEnd(widths[c] ?? 0)).join(' | ')} |`);
}

export async function run(): Promise<string[]> {
  const f = flags();
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'fm-bench-'));
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
  const log = (s: string): void => console.log(s);
  const results: Results = new Map();
  log(`flags: ${JSON.stringify(f)}; load average at start: ${loadavg()} (${cpus().length} cores, shared)`);
  log(
    'ferrolb = `ferrolb memberlist` defaults; metallb = hashicorp/memberlist v0.5.1 DefaultLANConfig (+ re-join every 60 s as MetalLB); tuned = probe 200 ms, timeout 100 ms, SuspicionMult 2',
  );
  const background = f.loss
    ? Promise.all(impls.map((impl) => lossTrack(impl, f, (s) => log(`[loss track] ${s.trim()}`), results)))
    : Promise.resolve([]);
  try {
    for (const impl of impls) {
      if (!f.n5) break;
      log(`${impl.name} N=5:`);
      const lab = await startCluster(5, impl, log);
      if (!lab) continue;
      try {
        await idle(lab, impl, f.idle, log, results);
        await kills(lab, impl, f.kills, 'SIGKILL', log, results);
        await kills(lab, impl, f.leaves, 'SIGTERM', log, results);
        await partition(lab, impl, log, results);
      } finally {
        await lab.destroy();
      }
    }
    log('waiting for the loss track before N=50');
    await background;
    for (const impl of impls) {
      if (!f.n50) break;
      log(`${impl.name} N=50:`);
      const big = await startCluster(50, impl, log);
      if (!big) continue;
      try {
        await idle(big, impl, f.idle, log, results);
        await kills(big, impl, f.kills, 'SIGKILL', log, results);
      } finally {
        await big.destroy();
      }
    }
  } finally {
    log('waiting for the loss track');
    await background;
  }
  return [
    ...table(results, impls),
    `duration ${((Date.now() - started) / 60_000).toFixed(1)} min; load average at end: ${loadavg()}`,
  ];
}
