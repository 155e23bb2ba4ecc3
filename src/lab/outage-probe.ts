// What a client sees of a failover: ICMP echo every 10 ms (ping -D) and a TCP connect every 10 ms to the
// LoadBalancer IP, from the lab's client namespace. Records the wall time of every success; an outage
// is the gap between the last success before an event and the first one after it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProbeSamples {
  icmp: number[];
  tcp: number[];
}

export class OutageProbe {
  readonly samples: ProbeSamples = { icmp: [], tcp: [] };
  readonly #ping: ChildProcess;
  readonly #tcpChild: ChildProcess;

  /** Starts probing `ip` (ICMP) and `ip:port` (TCP) from namespace `ns`, every `intervalMs`. */
  constructor(ns: string, ip: string, port: number, intervalMs = 10) {
    this.#ping = spawn(
      'ip',
      ['netns', 'exec', ns, 'ping', '-D', '-n', '-i', String(intervalMs / 1000), '-W', '1', ip],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let buf = '';
    this.#ping.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^\[(\d+\.\d+)\] \d+ bytes from/.exec(line);
        if (m) this.samples.icmp.push(Number(m[1]) * 1000);
      }
    });
    // A connect from the client namespace needs a process there: a small loop (tcpLoopScript).
    const tcp = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', tcpLoopScript(ip, port, intervalMs)],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let tbuf = '';
    tcp.stdout?.setEncoding('utf8').on('data', (d: string) => {
      tbuf += d;
      let nl: number;
      while ((nl = tbuf.indexOf('\n')) >= 0) {
        const v = Number(tbuf.slice(0, nl));
        tbuf = tbuf.slice(nl + 1);
        if (Number.isFinite(v)) this.samples.tcp.push(v);
      }
    });
    this.#tcpChild = tcp;
  }

  /**
   * Outage around wall time `at` (ms): the longest gap between consecutive successes from the last one
   * at or before `at` up to now, per probe (steady-state gaps are one interval, so the longest is the
   * outage, even when a request in flight at `at` still completed just after it).
   */
  outage(at: number): { icmp?: number; tcp?: number } {
    const gap = (xs: number[]): number | undefined => {
      let start = -1;
      for (let i = 0; i < xs.length; i++) if ((xs[i] as number) <= at) start = i;
      if (start < 0 || start === xs.length - 1) return undefined;
      let max = 0;
      for (let i = start + 1; i < xs.length; i++) max = Math.max(max, (xs[i] as number) - (xs[i - 1] as number));
      return max;
    };
    return { icmp: gap(this.samples.icmp), tcp: gap(this.samples.tcp) };
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
