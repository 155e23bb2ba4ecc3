// `ferrolb memberlist` flags: real --help, clear usage errors, no plaintext unless asked for.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['memberlist', ...args], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('ferrolb memberlist flags', () => {
  it('--help prints the usage and the event line format', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<unix_ms> join|leave|update <node> <alive|suspect|dead|left>');
    expect(r.out).toContain('--key-file F');
  });

  it('usage errors name the flag', async () => {
    expect(await run(['--bind', '192.0.2.1', '--key-file', 'k'])).toMatchObject({
      code: 2,
      err: 'ferrolb memberlist: --name is required\n',
    });
    expect(await run(['--name', 'a', '--bind', '192.0.2.1'])).toMatchObject({
      code: 2,
      err: 'ferrolb memberlist: give --key-file (encryption) or --insecure-plaintext\n',
    });
    expect((await run(['--name', 'a', '--bind', '192.0.2.1', '--port', 'x', '--insecure-plaintext'])).err).toContain(
      '--port: "x" is not a port number',
    );
    expect((await run(['--bogus'])).code).toBe(2);
    const missing = await run(['--name', 'a', '--bind', '192.0.2.1', '--key-file', '/nonexistent/keys']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('/nonexistent/keys');
    expect((await run(['--name', 'a', '--bind', 'not-an-ip', '--insecure-plaintext'])).err).toContain(
      '"not-an-ip" is not an IP address',
    );
  });
});
