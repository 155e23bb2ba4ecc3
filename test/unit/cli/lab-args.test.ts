import { describe, expect, it } from 'vitest';
import { labCommand } from '../../../src/cli/lab.ts';

describe('ferrolb lab arguments', () => {
  it('rejects an unknown argument with usage and exit 2, before starting anything', async () => {
    let err = '';
    const code = await labCommand(['--bogus'], { stdout: () => {}, stderr: (s) => void (err += s) });
    expect(code).toBe(2);
    expect(err).toMatch(/unknown option --bogus/);
    expect(err).toMatch(/usage: ferrolb lab \[--once\]/);
  });
  it('--help prints usage and exits 0', async () => {
    let out = '';
    expect(await labCommand(['--help'], { stdout: (s) => void (out += s), stderr: () => {} })).toBe(0);
    expect(out).toMatch(/--once/);
  });
});
