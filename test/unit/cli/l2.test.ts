import { describe, expect, it } from 'vitest';
import { l2Command } from '../../../src/cli/l2.ts';

function io() {
  let out = '';
  let err = '';
  return {
    io: { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) },
    out: () => out,
    err: () => err,
  };
}

describe('ferrolb l2 flags', () => {
  it('--help prints the usage and exits 0', async () => {
    const t = io();
    expect(await l2Command(['--help'], t.io)).toBe(0);
    expect(t.out()).toContain('usage: ferrolb l2 --interface IF');
    expect(t.out()).toContain('conflict ip=ADDR interface=IF mac=THEIR_MAC');
  });
  it.each([
    [['--ip', '192.0.2.10'], '--interface is required'],
    [['--interface', 'eth0'], '--ip is required'],
    [['--interface', 'eth0', '--ip', '192.0.2.300'], '--ip: "192.0.2.300" is not an IPv4 or IPv6 address'],
    [['--interface', 'eth0', '--ip', '192.0.2.10', '--repeats', 'x'], '--repeats: "x" is not a non-negative integer'],
    [['--interface', 'eth0', '--ip', '192.0.2.10', '--bogus'], "Unknown option '--bogus'"],
    [['--interface', 'eth0', '--ip', '192.0.2.10', '--events', 'set,answerd'], '--events: unknown kind "answerd"'],
  ])('%j → exit 2: %s', async (args, message) => {
    const t = io();
    expect(await l2Command(args, t.io)).toBe(2);
    expect(t.err()).toContain(message);
  });
  it('an interface that does not exist is reported as skipped, not a crash', async () => {
    const t = io();
    const p = l2Command(['--interface', 'fl2-no-such-if', '--ip', '192.0.2.10'], t.io);
    await new Promise((r) => setTimeout(r, 200));
    process.emit('SIGTERM');
    expect(await p).toBe(0);
    expect(t.out()).toContain('skipped interface=fl2-no-such-if reason=not-found');
    expect(t.out()).toContain('set ips=0');
    expect(t.out()).toContain('stopped');
  });
});
