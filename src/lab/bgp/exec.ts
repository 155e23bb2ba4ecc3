// Running commands, optionally inside a network namespace (`ip netns exec NS ...`), with their output
// collected. Long-running daemons are started with spawnLogged and stopped by the Lab that owns them.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Network namespace to run in; omitted = the host namespace. */
  ns?: string;
  /** Kill the command after this long (bounded waits only). Default 30 s. */
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

export function nsArgv(ns: string | undefined, argv: readonly string[]): string[] {
  return ns === undefined ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
}

/** Runs a command to completion and collects its output. Never rejects for a non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const full = nsArgv(opts.ns, argv);
  const [cmd, ...args] = full;
  if (cmd === undefined) throw new Error('run: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`run ${full.join(' ')}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A command that does not read its input may close stdin first: that is not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and throws (with its stderr) when it exits non-zero. Returns stdout. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const where = opts.ns === undefined ? '' : ` (in netns ${opts.ns})`;
    throw new Error(
      `command failed${where}: ${argv.join(' ')}\n  exit ${r.code ?? r.signal}\n  ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return r.stdout;
}

/** A long-running process with its output kept in memory (bounded) for diagnostics and parsing. */
export interface Daemon {
  name: string;
  child: ChildProcess;
  /** Combined stdout+stderr so far (last 4 MiB). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  onLine(fn: (line: string) => void): void;
}

const MAX_KEPT = 4 * 1024 * 1024;

export interface SpawnOptions {
  ns?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep a pipe to the process's stdin (Daemon.child.stdin) instead of /dev/null. */
  stdin?: boolean;
}

export function spawnLogged(name: string, argv: readonly string[], opts: SpawnOptions = {}): Daemon {
  const full = nsArgv(opts.ns, argv);
  const [cmd, ...args] = full;
  if (cmd === undefined) throw new Error('spawnLogged: empty argv');
  const child = spawn(cmd, args, {
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  child.stdin?.on('error', () => {});
  let out = '';
  let partial = '';
  const listeners: ((line: string) => void)[] = [];
  const onData = (d: string): void => {
    out += d;
    if (out.length > MAX_KEPT) out = out.slice(out.length - MAX_KEPT);
    partial += d;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      for (const l of listeners) l(line);
    }
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      out += `\n[spawn error: ${err.message}]\n`;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { name, child, output: () => out, exited, onLine: (fn) => listeners.push(fn) };
}
