// The process's own metrics (the Prometheus client-library standard names, and Node's heap), read at
// scrape time only: no timers, no event-loop sampling. The one file of src/metrics that reads the process
// and /proc (Linux; where /proc is missing the /proc-based ones are left out).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Counter } from './counter.ts';
import { Gauge } from './gauge.ts';
import type { Registry } from './registry.ts';

/** `VmRSS:    1234 kB` and friends from /proc/self/status, in bytes. */
function procStatus(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync('/proc/self/status', 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * 1024);
  }
  return out;
}

/** The soft limit on open files from /proc/self/limits (NaN when unlimited or unreadable). */
function maxFds(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : NaN;
}

/**
 * Registers process_* and nodejs_* metrics with `prefix` (`ferrolb_speaker_`, `ferrolb_controller_`) in
 * `registry`, each computed when it is read.
 */
export function registerProcessMetrics(registry: Registry, prefix = ''): void {
  const registers = [registry];
  const cpu = (name: string, help: string, pick: (u: NodeJS.CpuUsage) => number): void => {
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect(this: Counter) {
        this.reset();
        this.inc(pick(process.cpuUsage()) / 1e6);
      },
    });
  };
  cpu('process_cpu_user_seconds_total', 'User CPU time spent in seconds.', (u) => u.user);
  cpu('process_cpu_system_seconds_total', 'System CPU time spent in seconds.', (u) => u.system);
  cpu('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', (u) => u.user + u.system);

  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      collect(this: Gauge) {
        this.set(read());
      },
    });
  };
  // Wall time now minus the time the process has run: the start, in unix seconds (millisecond precision).
  const startedAt = Math.round(Date.now() - process.uptime() * 1000) / 1000;
  gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', () => startedAt);
  if (existsSync('/proc/self/status')) {
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => procStatus().get('VmRSS') ?? NaN);
    gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', () => procStatus().get('VmSize') ?? NaN);
    gauge('process_heap_bytes', 'Process heap (data segment) size in bytes.', () => procStatus().get('VmData') ?? NaN);
  } else {
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  }
  if (existsSync('/proc/self/fd')) {
    // readdirSync holds one descriptor of its own on the directory while it reads it.
    gauge('process_open_fds', 'Number of open file descriptors.', () => readdirSync('/proc/self/fd').length - 1);
    gauge('process_max_fds', 'Maximum number of open file descriptors.', maxFds);
  }
  gauge('nodejs_heap_size_total_bytes', 'V8 heap size in bytes.', () => process.memoryUsage().heapTotal);
  gauge('nodejs_heap_size_used_bytes', 'V8 heap used in bytes.', () => process.memoryUsage().heapUsed);
  gauge(
    'nodejs_external_memory_bytes',
    'Memory of C++ objects bound to JavaScript objects managed by V8, in bytes.',
    () => process.memoryUsage().external,
  );
  const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
  const version = new Gauge({
    name: `${prefix}nodejs_version_info`,
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch'],
    registers,
  });
  version.set({ version: process.version, major, minor, patch }, 1);
}
