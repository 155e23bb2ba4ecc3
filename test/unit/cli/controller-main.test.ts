// controller/main.ts as a user starts it: --help prints the usage and exits 0; outside a cluster without
// any kubeconfig it stops at once with one line saying what it looked for (instead of quietly targeting
// http://localhost:8080, client-node's fallback).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_MAIN, PROJECT_NODE } from '../../../src/lab/index.ts';

function runMain(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PROJECT_NODE, [CONTROLLER_MAIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('controller/main.ts', () => {
  const home = mkdtempSync(join(tmpdir(), 'fgw-controller-home-'));
  const bare = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };

  it('--help prints the usage on stdout and exits 0', async () => {
    const r = await runMain(['--help'], bare);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: controller\/main\.ts \[flags\][\s\S]*--kubeconfig PATH/);
    expect(r.stderr).toBe('');
  });

  it('without a kubeconfig outside a cluster: exit 1 at once with one clear line', async () => {
    const r = await runMain([], bare);
    expect(r.code).toBe(1);
    const lines = `${r.stdout}${r.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no kubeconfig: not in a cluster`);
    expect(lines[0]).toContain(`no ${home}/.kube/config; pass --kubeconfig PATH`);
  });
});
