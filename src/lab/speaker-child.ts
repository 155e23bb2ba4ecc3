// Runs a speaker as a child process (`node speaker/main.ts ...`), optionally inside a network namespace
// (`ip netns exec NS`, which execs: the pid is the speaker's, so kill -9 hits it), with its log in a
// file: used by the integration tests, the failover benchmark and `ferrolb lab`.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROJECT_NODE } from './controller-child.ts';

export const SPEAKER_MAIN = fileURLToPath(new URL('../../speaker/main.ts', import.meta.url));

export interface SpeakerChildOptions {
  nodeName: string;
  kubeconfig: string;
  logPath: string;
  /** Network namespace to run in (host namespace when absent). */
  netns?: string;
  metricsPort: number;
  metricsHost?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

export interface SpeakerChild {
  readonly pid: number;
  readonly nodeName: string;
  readonly logPath: string;
  exited(): string | undefined;
  waitExit(): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  logTail(lines?: number): string;
  /** VmRSS of the process in KiB, or undefined once it has exited. */
  rssKib(): number | undefined;
}

export function startSpeakerChild(o: SpeakerChildOptions): SpeakerChild {
  const args = [
    SPEAKER_MAIN,
    '--node-name',
    o.nodeName,
    '--kubeconfig',
    o.kubeconfig,
    '--metrics-port',
    String(o.metricsPort),
    '--metrics-host',
    o.metricsHost ?? '127.0.0.1',
    ...(o.extraArgs ?? []),
  ];
  const argv =
    o.netns !== undefined ? ['ip', 'netns', 'exec', o.netns, PROJECT_NODE, ...args] : [PROJECT_NODE, ...args];
  const fd = openSync(o.logPath, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} ${argv.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...(o.env ?? {}) },
    });
  } finally {
    closeSync(fd);
  }
  let reason: string | undefined;
  const exit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) =>
      resolve((reason = signal !== null ? `killed by ${signal}` : `exited with code ${code}`)),
    );
    child.once('error', (err) => resolve((reason = `could not start: ${err.message}`)));
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    nodeName: o.nodeName,
    logPath: o.logPath,
    exited: () => reason,
    waitExit: () => exit,
    kill: (signal) => {
      if (reason === undefined) child.kill(signal);
    },
    logTail: (lines = 40) => {
      try {
        return readFileSync(o.logPath, 'utf8')
          .split('\n')
          .slice(-lines - 1)
          .join('\n');
      } catch (err) {
        return `(cannot read ${o.logPath}: ${(err as Error).message})`;
      }
    },
    rssKib: () => {
      try {
        const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
