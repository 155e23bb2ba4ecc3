import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Registry, registerProcessMetrics } from '../../../src/metrics/index.ts';

const NAMES = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_version_info',
];

/** name{labels} → value, for every sample line. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('process metrics', () => {
  it('are all there with the prefix, typed, and sane for this process', async () => {
    const r = new Registry();
    registerProcessMetrics(r, 'ferrolb_test_');
    const text = await r.metrics();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(types).toEqual(NAMES.map((n) => `ferrolb_test_${n} ${n.endsWith('_total') ? 'counter' : 'gauge'}`));
    const v = parse(text);
    const get = (n: string): number => v.get(`ferrolb_test_${n}`)!;
    for (const n of NAMES.filter((n) => n !== 'nodejs_version_info')) expect(get(n), n).toBeGreaterThan(0);
    expect(get('process_cpu_seconds_total')).toBeGreaterThanOrEqual(get('process_cpu_user_seconds_total'));
    expect(get('process_virtual_memory_bytes')).toBeGreaterThan(get('process_resident_memory_bytes'));
    expect(get('nodejs_heap_size_total_bytes')).toBeGreaterThanOrEqual(get('nodejs_heap_size_used_bytes'));
    expect(get('process_start_time_seconds') * 1000).toBeLessThanOrEqual(Date.now());
    expect(get('process_start_time_seconds') * 1000).toBeGreaterThan(Date.now() - process.uptime() * 1000 - 5_000);
    expect(get('process_max_fds')).toBeGreaterThanOrEqual(get('process_open_fds'));
    // The count excludes readdir's own descriptor: what this process has open (other threads may open a few meanwhile).
    expect(Math.abs(get('process_open_fds') - (readdirSync('/proc/self/fd').length - 1))).toBeLessThanOrEqual(16);
    const [major, minor, patch] = process.versions.node.split('.');
    expect(
      v.get(
        `ferrolb_test_nodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"}`,
      ),
    ).toBe(1);
  });

  it('are read at scrape time: the CPU counter moves after work, without any timer', async () => {
    const r = new Registry();
    registerProcessMetrics(r);
    const cpu = async (): Promise<number> =>
      (await r.getSingleMetric('process_cpu_seconds_total')!.get()).values[0]!.value;
    const before = await cpu();
    const until = process.cpuUsage().user + 20_000; // 20 ms of user CPU
    let x = 0;
    while (process.cpuUsage().user < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect((await cpu()) - before).toBeGreaterThanOrEqual(0.02);
  });
});
