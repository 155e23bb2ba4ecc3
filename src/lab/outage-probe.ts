// What a client sees of a failover: ICMP echo every 10 ms (ping -D) and a TCP connect every 10 ms to the
// LoadBalancer IP, from the lab's client namespace (and, for many IPs at once, one ping per IP). Records
// the wall time of every success; an outage is the longest gap between successes from the last one
// before an event until the client is answered again through another MAC (waitRecovered): measured any
// earlier, a reply already in flight when the owner died, or one that came back while the kill command
// itself was running, reads as a "recovery" and the outage as the probe's own interval (~16 ms here).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface ProbeSamples {
  icmp: number[];
  tcp: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The longest gap between consecutive times in `xs` from the last one at or before `at`; undefined without one after. */
export function gapAfter(xs: readonly number[], at: number): number | undefined {
  let start = -1;
  for (let i = 0; i < xs.length; i++) if ((xs[i] as number) <= at) start = i;
  if (start < 0 || start === xs.length - 1) return undefined;
  let max = 0;
  for (let i = start + 1; i < xs.length; i++) max = Math.max(max, (xs[i] as number) - (xs[i - 1] as number));
  return max;
}

/** Calls `onLine` for every complete line `child` writes to stdout. */
function onLines(child: ChildProcess, onLine: (line: string) => void): void {
  let buf = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/** `ping -D` to `ip` from `ns` every `intervalMs`: calls `onReply(wall ms)` for every echo reply. */
function spawnPing(ns: string, ip: string, intervalMs: number, onReply: (t: number) => void): ChildProcess {
  const ping = spawn('ip', ['netns', 'exec', ns, 'ping', '-D', '-n', '-i', String(intervalMs / 1000), '-W', '1', ip], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  onLines(ping, (line) => {
    const m = /^\[(\d+\.\d+)\] \d+ bytes from/.exec(line);
    if (m) onReply(Number(m[1]) * 1000);
  });
  return ping;
}

export class OutageProbe {
  readonly samples: ProbeSamples = { icmp: [], tcp: [] };
  readonly #ping: ChildProcess;
  readonly #tcpChild: ChildProcess;

  /** Starts probing `ip` (ICMP) and `ip:port` (TCP) from namespace `ns`, every `intervalMs`. */
  constructor(ns: string, ip: string, port: number, intervalMs = 10) {
    this.#ping = spawnPing(ns, ip, intervalMs, (t) => this.samples.icmp.push(t));
    // A connect from the client namespace needs a process there: a small loop (tcpLoopScript).
    const tcp = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', tcpLoopScript(ip, port, intervalMs)],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    onLines(tcp, (line) => {
      const v = Number(line);
      if (Number.isFinite(v)) this.samples.tcp.push(v);
    });
    this.#tcpChild = tcp;
  }

  /**
   * Outage around wall time `at` (ms): the longest gap between consecutive successes from the last one
   * at or before `at` up to now, per probe (steady-state gaps are one interval, so the longest is the
   * outage, even when a request in flight at `at` still completed just after it). Only meaningful once
   * the client was answered again after the outage (waitRecovered).
   */
  outage(at: number): { icmp?: number; tcp?: number } {
    const icmp = gapAfter(this.samples.icmp, at);
    const tcp = gapAfter(this.samples.tcp, at);
    return { ...(icmp !== undefined ? { icmp } : {}), ...(tcp !== undefined ? { tcp } : {}) };
  }

  /** Whether both probes succeeded after wall time `t`. */
  healthySince(t: number): boolean {
    return this.samples.icmp.some((x) => x > t) && this.samples.tcp.some((x) => x > t);
  }

  stop(): void {
    this.#ping.kill('SIGKILL');
    this.#tcpChild.kill('SIGKILL');
  }
}

/** ICMP echo to each of many IPs from `ns` (one `ping` per IP, every `intervalMs`): success times per IP. */
export class MultiPingProbe {
  readonly samples = new Map<string, number[]>();
  readonly #pings: ChildProcess[] = [];

  constructor(ns: string, ips: readonly string[], intervalMs = 50) {
    for (const ip of ips) {
      const xs: number[] = [];
      this.samples.set(ip, xs);
      this.#pings.push(spawnPing(ns, ip, intervalMs, (t) => xs.push(t)));
    }
  }

  /** Every IP answered after wall time `t`. */
  healthySince(t: number): boolean {
    for (const xs of this.samples.values()) if (!((xs.at(-1) ?? -Infinity) > t)) return false;
    return true;
  }

  /** The longest per-IP outage around `at` (how long until every IP answered again); undefined if one has not. */
  outage(at: number): number | undefined {
    let max = 0;
    for (const xs of this.samples.values()) {
      const g = gapAfter(xs, at);
      if (g === undefined) return undefined;
      max = Math.max(max, g);
    }
    return max;
  }

  stop(): void {
    for (const p of this.#pings) p.kill('SIGKILL');
  }
}

/** The client's neighbour table in `ns`: IP → MAC, for entries that have one. */
export function neighbourTable(ns: string): Map<string, string> {
  const out = spawnSync('ip', ['netns', 'exec', ns, 'ip', 'neigh', 'show'], { encoding: 'utf8' }).stdout ?? '';
  const table = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+) .*lladdr ([0-9a-f:]{17})/.exec(line);
    if (m) table.set(m[1] as string, m[2] as string);
  }
  return table;
}

/**
 * Waits (bounded by `timeoutMs`) until the client in `ns` is answered again after `deadMac` stopped
 * answering for `ips`: its neighbour entry for each IP names another MAC (the new owner's gratuitous ARP
 * or an answer to its own request reached it), and after that the probes (`healthySince`) succeeded.
 * Returns false on timeout. Only then is an outage fully in the samples.
 */
export async function waitRecovered(
  ns: string,
  ips: readonly string[],
  deadMac: string,
  healthySince: (t: number) => boolean,
  timeoutMs = 30_000,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  let switched: number | undefined;
  while (Date.now() < end) {
    if (switched === undefined) {
      const table = neighbourTable(ns);
      if (ips.every((ip) => table.has(ip) && table.get(ip) !== deadMac)) switched = Date.now();
    } else if (healthySince(switched)) {
      await sleep(100); // the last replies through the pipes
      return true;
    }
    await sleep(20);
  }
  return false;
}

/** The TCP connect loop run inside the client namespace: one attempt per interval, success times on stdout. */
export function tcpLoopScript(ip: string, port: number, intervalMs: number): string {
  return `
import { createConnection } from 'node:net';
let inflight = 0;
setInterval(() => {
  if (inflight >= 100) return;
  inflight++;
  const s = createConnection({ host: ${JSON.stringify(ip)}, port: ${port} });
  const done = () => { inflight--; s.destroy(); };
  s.setTimeout(1000, done);
  s.once('connect', () => { process.stdout.write(Date.now() + '\\n'); done(); });
  s.once('error', done);
}, ${intervalMs});
`;
}
