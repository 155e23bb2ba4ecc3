// Allocator benchmark: fill 10,000 single-stack services from an IPv4 /16 and 1,000 dual-stack services
// from a /16 + /64 pool, timing every allocation; the same work done by a MetalLB-style scan-from-start
// allocator (naive-allocator.ts) is measured in the same run. Prints figures; asserts nothing.
// `node bench/allocator.ts` runs it alone; bench/run.ts imports run().
import type { Family } from '../src/net/family.ts';
import type { IpRange, Pool } from '../src/config/model.ts';
import { Allocator } from '../src/allocator/allocator.ts';
import type { AllocationRequest } from '../src/allocator/types.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseCidr } from '../src/net/ip.ts';
import { NaiveAllocator } from './naive-allocator.ts';

const V4 = '198.51.0.0/16'; // a /16 covering the 198.51.100.0/24 documentation block; never sent anywhere
const V6 = '2001:db8::/64';

function range(text: string): IpRange {
  const c = parseCidr(text);
  if (typeof c === 'string') throw new Error(c);
  return { family: c.family, first: c.first, last: c.last, text };
}

function pool(name: string, cidrs: string[]): Pool {
  return { name, protocols: ['layer2'], ranges: cidrs.map(range), autoAssign: true, avoidBuggyIPs: true, labels: {} };
}

function request(i: number, dual: boolean, sharingKey?: string): AllocationRequest {
  const req: AllocationRequest = {
    key: `bench/svc-${i}`,
    namespace: 'bench',
    labels: {},
    namespaceLabels: {},
    ipFamilyPolicy: dual ? 'RequireDualStack' : 'SingleStack',
    ipFamilies: dual ? ['ipv4', 'ipv6'] : ['ipv4'],
    ports: [{ port: 443, protocol: 'TCP' }],
    requestedIps: [],
    externalTrafficPolicy: 'Cluster',
  };
  if (sharingKey !== undefined) req.sharingKey = sharingKey;
  return req;
}

interface Timing {
  totalMs: number;
  /** CPU time of the process during the loop: unlike wall time, not inflated by other load on the machine. */
  cpuMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Runs `count` timed steps; the total is the wall time of the whole loop (timer overhead included). */
function timeSteps(count: number, step: (i: number) => void): Timing {
  const each = new Float64Array(count);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    step(i);
    each[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  each.sort();
  const at = (q: number): number => each[Math.min(count - 1, Math.floor(q * count))] as number;
  return { totalMs, cpuMs, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: each[count - 1] as number };
}

function fast(count: number, dual: boolean, sharingKey?: string): Timing {
  const a = new Allocator();
  a.setPools([dual ? pool('dual', [V4, V6]) : pool('v4', [V4])]);
  const reqs = Array.from({ length: count }, (_, i) => request(i, dual, sharingKey));
  return timeSteps(count, (i) => {
    const r = a.assign(reqs[i] as AllocationRequest);
    if (!r.ok) throw new Error(`allocation ${i} failed: ${r.error.message}`);
  });
}

function naive(count: number, dual: boolean): Timing {
  const ranges = (dual ? [V4, V6] : [V4]).map(range);
  const n = new NaiveAllocator(ranges, true);
  const families: Family[] = dual ? ['ipv4', 'ipv6'] : ['ipv4'];
  return timeSteps(count, (i) => {
    for (const f of families) if (n.allocateText(f) === undefined) throw new Error(`naive allocation ${i} failed`);
  });
}

/** A full collection, so a measured run does not pay for the garbage of the runs before it. */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** The median (by total) of `runs` runs, each after a full collection. */
function medianOf(runs: number, measure: () => Timing): Timing {
  const all: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    collectGarbage();
    all.push(measure());
  }
  all.sort((a, b) => a.totalMs - b.totalMs);
  return all[Math.floor(runs / 2)] as Timing;
}

const fmt = (ms: number): string => (ms < 1 ? ms.toFixed(4) : ms.toFixed(1));

function line(label: string, t: Timing): string {
  return `${label.padEnd(40)} total ${fmt(t.totalMs).padStart(8)} ms (cpu ${fmt(t.cpuMs).padStart(8)} ms)   p50 ${fmt(t.p50Ms).padStart(7)} ms   p99 ${fmt(t.p99Ms).padStart(7)} ms   max ${fmt(t.maxMs).padStart(7)} ms`;
}

export async function run(): Promise<string[]> {
  // Warm up both implementations (JIT) on smaller runs before measuring.
  for (let i = 0; i < 3; i++) {
    fast(2_000, false);
    fast(300, true);
    naive(1_000, false);
    naive(200, true);
  }
  const lines: string[] = [];
  // The third case: every service has allow-shared-ip "same" and port 443, so none can share and each
  // needs its own address; the allocator must not scan the shared addresses for each (MetalLB's scan
  // fails the sharing check on every used address, so the naive baseline is the same scan).
  const cases: [string, number, boolean, string | undefined][] = [
    [`10,000 single-stack from ${V4}`, 10_000, false, undefined],
    [`1,000 dual-stack from ${V4} + ${V6}`, 1_000, true, undefined],
    [`10,000 single-stack, one sharing key, same port`, 10_000, false, 'same'],
  ];
  const RUNS = 5;
  const naiveRuns = new Map<string, Timing>(); // the same naive work is measured once
  for (const [name, count, dual, sharingKey] of cases) {
    const f = medianOf(RUNS, () => fast(count, dual, sharingKey));
    const naiveKey = `${count}/${dual}`;
    const b = naiveRuns.get(naiveKey) ?? medianOf(dual ? RUNS : 1, () => naive(count, dual));
    naiveRuns.set(naiveKey, b);
    lines.push(
      `${name} (median of ${RUNS} runs${dual ? '' : '; naive: 1 run, shared by identical cases'}, full GC before each)`,
    );
    lines.push(line('  ferrolb allocator (cursor + heap)', f));
    lines.push(line('  naive scan-from-start (MetalLB style)', b));
    lines.push(
      `  ratio: ${(b.totalMs / f.totalMs).toFixed(1)}x faster in total (${(b.cpuMs / f.cpuMs).toFixed(1)}x in cpu time), per-allocation p99 ${(b.p99Ms / f.p99Ms).toFixed(1)}x`,
    );
  }
  return lines;
}

if (import.meta.main) {
  for (const l of await run()) console.log(l);
}
