// `npx ferrolb` is quiet (no npm EBADENGINE lines although npm runs on the machine's own, older Node) and a
// real Node mismatch gets one clear line from bin/ferrolb.js.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = `${ROOT}bin/ferrolb.js`;

async function exec(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(file, args, { cwd: ROOT, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the ferrolb launcher', () => {
  it('npx ferrolb prints the command output and nothing from npm', async () => {
    const r = await exec('npx', ['ferrolb', 'config', 'check', 'examples/config/configmap.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lan {2}protocol=layer2/);
  });

  it('under another Node than 24 it says so in one line and exits 1', async () => {
    const other = '/usr/bin/node';
    const version = await exec(other, ['-p', 'process.versions.node']);
    expect(version.code).toBe(0);
    const r = await exec(other, [LAUNCHER, '--help']);
    if (version.stdout.startsWith('24.')) {
      expect(r.code).toBe(0); // the machine's own Node is 24: nothing to report
      return;
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^ferrolb: needs Node 24, but this is Node \d+\.\d+\.\d+ \(\/usr\/bin\/node\); run `npm ci`[^\n]*\n$/,
    );
  });
});
