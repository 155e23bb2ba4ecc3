// Runs the controller as a child process (`node controller/main.ts ...`) with its log going to a file:
// used by the integration tests, the benchmark and `ferrolb lab`. Knows how to wait for /readyz, read
// /metrics, kill it (any signal) and read its peak RSS from /proc.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { procStatusKib, spawnLogged } from './logged-child.ts';
import { PROJECT_NODE } from './repo-paths.ts';

export const CONTROLLER_MAIN = fileURLToPath(new URL('../../controller/main.ts', import.meta.url));
export { PROJECT_NODE };

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/** User + system CPU seconds process `pid` has used (/proc/PID/stat), or undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the ")" closing comm: state is field 3, utime 14, stime 15 (proc(5)).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export interface ControllerChildOptions {
  kubeconfig: string;
  metricsPort: number;
  logPath: string;
  extraArgs?: string[];
  /** NODE_OPTIONS for the child (e.g. the Deployment's heap settings); default: inherited. */
  nodeOptions?: string;
}

export interface ControllerChild {
  readonly pid: number;
  readonly logPath: string;
  readonly metricsPort: number;
  /** Why it exited, or undefined while it runs. */
  exited(): string | undefined;
  /** Resolves with the exit description once it has exited. */
  waitExit(): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** GET a path on the metrics port: status and body (status 0 when nothing answers). */
  get(path: string): Promise<{ status: number; body: string }>;
  /** VmHWM of the process in KiB (peak resident set), or undefined once it has exited. */
  peakRssKib(): number | undefined;
  /** User + system CPU time consumed so far, in seconds, or undefined once it has exited. */
  cpuSeconds(): number | undefined;
  logTail(lines?: number): string;
}

export function httpGet(port: number, path: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

export function startControllerChild(opts: ControllerChildOptions): ControllerChild {
  const args = [
    CONTROLLER_MAIN,
    '--kubeconfig',
    opts.kubeconfig,
    '--metrics-port',
    String(opts.metricsPort),
    '--metrics-host',
    '127.0.0.1',
    ...(opts.extraArgs ?? []),
  ];
  const env = opts.nodeOptions === undefined ? process.env : { ...process.env, NODE_OPTIONS: opts.nodeOptions };
  const c = spawnLogged([PROJECT_NODE, ...args], opts.logPath, env);
  return {
    pid: c.pid,
    logPath: opts.logPath,
    metricsPort: opts.metricsPort,
    exited: c.exited,
    waitExit: c.waitExit,
    kill: c.kill,
    get: (path) => httpGet(opts.metricsPort, path),
    peakRssKib: () => procStatusKib(c.pid, 'VmHWM'),
    cpuSeconds: () => cpuSecondsOf(c.pid),
    logTail: c.logTail,
  };
}

/** One sample of a Prometheus metric from /metrics text (labels must match exactly as given). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have[pair[1]!] = pair[2]!;
    if (
      Object.entries(labels).every(([k, v]) => have[k] === v) &&
      Object.keys(have).length === Object.keys(labels).length
    ) {
      return Number(m[4]);
    }
  }
  return undefined;
}
