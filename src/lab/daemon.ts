import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

// util-linux setpriv (Essential on Debian) sets PR_SET_PDEATHSIG and then execs the daemon (same pid):
// if the test process dies without running its exit handlers (SIGKILL, OOM), the kernel kills the
// daemon too instead of leaving etcd / kube-apiserver running forever.
const SETPRIV = '/usr/bin/setpriv';
const hasSetpriv = existsSync(SETPRIV);

/** One long-running child process whose stdout+stderr go to a log file (appended across restarts). */
export interface Daemon {
  readonly name: string;
  readonly logPath: string;
  readonly pid: number;
  /** Why it exited, or undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs` (<= 0: SIGKILL at once). Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL without waiting: for process-exit handlers, which must be synchronous. */
  killNow(): void;
}

export function startDaemon(name: string, binary: string, args: readonly string[], logPath: string): Daemon {
  const fd = openSync(logPath, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} ${binary} ${args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = hasSetpriv
      ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', binary, ...args], { stdio: ['ignore', fd, fd] })
      : spawn(binary, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exitReason: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exitReason = `could not start ${binary}: ${err.message}`;
      resolve();
    });
  });
  return {
    name,
    logPath,
    pid: child.pid ?? -1,
    exited: () => exitReason,
    async stop(graceMs = 10_000) {
      if (exitReason !== undefined) return;
      if (graceMs <= 0) {
        child.kill('SIGKILL');
        await exitedPromise;
        return;
      }
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const result = await Promise.race([exitedPromise, timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    },
    killNow() {
      if (exitReason === undefined) child.kill('SIGKILL');
    },
  };
}

/** The last `lines` lines of a log file, or a note saying why it cannot be read. */
export function logTail(logPath: string, lines = 40): string {
  try {
    const text = readFileSync(logPath, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch (err) {
    return `(cannot read ${logPath}: ${(err as Error).message})`;
  }
}
