// The real destinations, in a child process: the default writes to stdout, fdDestination(2) to stderr
// (the CLIs' logs), and a fatal line logged just before process.exit reaches a pipe whole, even a 1 MB one
// (far past a pipe's 64 kB buffer: process.stderr.write delivered only 64-128 kB of it).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOG = fileURLToPath(new URL('../../../src/log/index.ts', import.meta.url));

async function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr };
}

const parse = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('destinations', () => {
  it('fdDestination(2) writes to stderr only, and a fatal line before process.exit is not lost', async () => {
    const r = await run(`
      import { createLogger, fdDestination } from ${JSON.stringify(LOG)};
      const log = createLogger({ level: 'warn', base: { component: 'cli' } }, fdDestination(2));
      log.info('below the level');
      log.warn({ flag: '--peer' }, 'ignored flag');
      log.fatal({ padding: 'x'.repeat(1_000_000) }, 'giving up');
      process.exit(3);
    `);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const lines = parse(r.stderr);
    expect(lines.map((l) => [l.level, l.component, l.msg])).toEqual([
      [40, 'cli', 'ignored flag'],
      [60, 'cli', 'giving up'],
    ]);
    expect(lines[0]!.flag).toBe('--peer');
    expect((lines[1]!.padding as string).length).toBe(1_000_000);
  });

  it('the default destination is stdout', async () => {
    const r = await run(`
      import { createLogger } from ${JSON.stringify(LOG)};
      createLogger().error({ err: new Error('x') }, 'to stdout');
      process.exit(0);
    `);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const [line] = parse(r.stdout);
    expect(line).toMatchObject({ level: 50, pid: expect.any(Number), hostname: expect.any(String), msg: 'to stdout' });
    expect(line!.err).toMatchObject({ type: 'Error', message: 'x' });
  });
});
