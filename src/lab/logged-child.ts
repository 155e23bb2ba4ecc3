// A child process whose output goes to a log file (appended, with a header line naming the command), and
// what the labs, tests and benchmarks ask of it: why it exited, a signal, the log's tail, and its memory
// from /proc. The controller child, the speaker child and the benchmarks build on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface LoggedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Why it exited, or undefined while it runs. */
  exited(): string | undefined;
  /** Resolves with the exit description once it has exited. */
  waitExit(): Promise<string>;
  /** Sends `signal` unless it has exited already. */
  kill(signal: NodeJS.Signals): void;
  logTail(lines?: number): string;
}

export function spawnLogged(argv: readonly string[], logPath: string, env: NodeJS.ProcessEnv): LoggedChild {
  const fd = openSync(logPath, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} ${argv.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', fd, fd], env });
  } finally {
    closeSync(fd);
  }
  let reason: string | undefined;
  const exit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) =>
      resolve((reason = signal !== null ? `killed by ${signal}` : `exited with code ${code}`)),
    );
    child.once('error', (err) => resolve((reason = `could not start ${argv[0]}: ${err.message}`)));
  });
  return {
    child,
    pid: child.pid ?? -1,
    exited: () => reason,
    waitExit: () => exit,
    kill: (signal) => {
      if (reason === undefined) child.kill(signal);
    },
    logTail: (lines = 40) => {
      try {
        return readFileSync(logPath, 'utf8')
          .split('\n')
          .slice(-lines - 1)
          .join('\n');
      } catch (err) {
        return `(cannot read ${logPath}: ${(err as Error).message})`;
      }
    },
  };
}

/** A memory field of /proc/PID/status in KiB (VmRSS, VmHWM, RssAnon, RssFile…), or undefined once it has exited. */
export function procStatusKib(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
