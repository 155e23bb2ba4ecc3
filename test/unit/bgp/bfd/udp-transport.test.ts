// The real UDP transport without root: two sessions on loopback (127.0.0.1 ↔ 127.0.0.2), on a free port
// instead of 3784, with the native TTL-reporting receiver. Namespaced tests are in test/integration/bfd.
import { afterEach, describe, expect, it } from 'vitest';
import { BfdSession } from '../../../../src/bgp/bfd/session.ts';
import { DEFAULT_BFD_PROFILE } from '../../../../src/bgp/bfd/profile.ts';
import { bfdAddress, transportPorts, udpTransport } from '../../../../src/bgp/bfd/udp-transport.ts';

const sessions: BfdSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop();
});

describe('udpTransport on loopback', () => {
  it('two sessions come Up and one sees the other stop (AdminDown)', async () => {
    transportPorts.control = 40000 + (process.pid % 20000);
    const a = new BfdSession({ local: '127.0.0.1', peer: '127.0.0.2', profile: DEFAULT_BFD_PROFILE });
    const b = new BfdSession({ local: '127.0.0.2', peer: '127.0.0.1', profile: DEFAULT_BFD_PROFILE });
    sessions.push(a, b);
    const upA = new Promise((r) => a.once('up', r));
    const upB = new Promise((r) => b.once('up', r));
    await a.start();
    await b.start();
    await Promise.all([upA, upB]);
    expect(a.remoteDiscriminator).toBe(b.localDiscriminator);
    expect(a.counters.drops).toEqual({});
    const down = new Promise<{ diag: number }>((r) => a.once('down', r));
    b.stop();
    expect((await down).diag).toBe(3);
  });

  it('multihop sessions use their own port (4784 in production) and come Up', async () => {
    transportPorts.multihop = 40000 + ((process.pid + 1) % 20000);
    const a = new BfdSession({ local: '127.0.0.1', peer: '127.0.0.2', profile: DEFAULT_BFD_PROFILE, multihop: true });
    const b = new BfdSession({ local: '127.0.0.2', peer: '127.0.0.1', profile: DEFAULT_BFD_PROFILE, multihop: true });
    sessions.push(a, b);
    const up = Promise.all([new Promise((r) => a.once('up', r)), new Promise((r) => b.once('up', r))]);
    await a.start();
    await b.start();
    await up;
    expect(a.counters.drops).toEqual({});
  });

  it('normalizes addresses; IPv4-mapped IPv6 (dual-stack BGP sockets) becomes IPv4', () => {
    expect(bfdAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(bfdAddress('2001:DB8:0::1')).toBe('2001:db8::1');
    expect(bfdAddress('192.0.2.9')).toBe('192.0.2.9');
    expect(bfdAddress('::1')).toBe('::1');
    expect(bfdAddress('bogus')).toBeUndefined();
  });

  it('refuses bad addresses and duplicate sessions with clear errors', async () => {
    const opts = { onPacket: () => {}, onError: () => {} };
    await expect(udpTransport({ local: 'localhost', peer: '127.0.0.2', ...opts })).rejects.toThrow(
      /local address "localhost" is not an IP address/,
    );
    await expect(udpTransport({ local: '127.0.0.1', peer: '::1', ...opts })).rejects.toThrow(/different families/);
    const t = await udpTransport({ local: '127.0.0.1', peer: '127.0.0.9', ...opts });
    try {
      await expect(udpTransport({ local: '127.0.0.1', peer: '127.0.0.9', ...opts })).rejects.toThrow(/already exists/);
    } finally {
      t.close();
    }
    const s = new BfdSession({ local: '192.0.2.77', peer: '192.0.2.78', profile: DEFAULT_BFD_PROFILE });
    await expect(s.start()).rejects.toThrow(/EADDRNOTAVAIL: bind 192\.0\.2\.77/);
    s.stop();
  });
});
