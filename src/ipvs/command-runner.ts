// How the syncer runs the kernel tools: one narrow interface (tests and the dry run wrap it), one
// implementation over child_process.spawn that feeds a batch on stdin and collects both streams.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(cmd: string, args: readonly string[], stdin?: string): Promise<CommandResult>;
}

export class CommandError extends Error {
  readonly code = 'command-failed';
  readonly result: CommandResult;
  constructor(cmd: string, args: readonly string[], result: CommandResult) {
    super(
      `${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().split('\n').slice(0, 3).join(' | ')}`,
    );
    this.result = result;
  }
}

export const spawnRunner: CommandRunner = {
  run(cmd, args, stdin) {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: `${cmd}: ${e.message}` }));
      child.on('close', (code) =>
        resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
      );
      child.stdin.on('error', () => {}); // a tool that exits early closes its stdin; its exit code says why
      child.stdin.end(stdin ?? '');
    });
  },
};

/** Runs and throws CommandError on a non-zero exit. */
export async function mustRun(r: CommandRunner, cmd: string, args: readonly string[], stdin?: string): Promise<string> {
  const res = await r.run(cmd, args, stdin);
  if (res.code !== 0) throw new CommandError(cmd, args, res);
  return res.stdout;
}
