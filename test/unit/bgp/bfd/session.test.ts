// Two BfdSessions on an in-memory network and a fake clock: handshake, failure detection, AdminDown,
// GTSM, poll sequence — seconds of protocol time in milliseconds.
import { describe, expect, it } from 'vitest';
import { BfdSession } from '../../../../src/bgp/bfd/session.ts';
import type { BfdStateChange } from '../../../../src/bgp/bfd/session.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import { DEFAULT_BFD_PROFILE } from '../../../../src/bgp/bfd/profile.ts';
import { MemoryBfdNetwork } from '../../../../src/bgp/bfd/transport.ts';
import type { BfdProfile } from '../../../../src/config/model.ts';

function lab(profileA: BfdProfile = DEFAULT_BFD_PROFILE, profileB: BfdProfile = DEFAULT_BFD_PROFILE, multihop = false) {
  const clock = new FakeClock();
  const net = new MemoryBfdNetwork(clock);
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const a = new BfdSession({
    local: '192.0.2.1',
    peer: '192.0.2.2',
    profile: profileA,
    clock,
    random,
    transport: net.factory,
    multihop,
  });
  const b = new BfdSession({
    local: '192.0.2.2',
    peer: '192.0.2.1',
    profile: profileB,
    clock,
    random,
    transport: net.factory,
    multihop,
  });
  const events: { at: number; who: string; kind: string; change: BfdStateChange }[] = [];
  for (const [who, s] of [
    ['a', a],
    ['b', b],
  ] as const) {
    s.on('up', (change) => events.push({ at: clock.now(), who, kind: 'up', change }));
    s.on('down', (change) => events.push({ at: clock.now(), who, kind: 'down', change }));
  }
  return { clock, net, a, b, events };
}

describe('BfdSession on a memory network', () => {
  it('comes Up through the three-way handshake and stays Up', async () => {
    const { clock, a, b, events } = lab();
    await a.start();
    await b.start();
    clock.advance(3000);
    expect(a.state).toBe('Up');
    expect(b.state).toBe('Up');
    expect(a.remoteDiscriminator).toBe(b.localDiscriminator);
    expect(events.map((e) => `${e.who}:${e.kind}`).sort()).toEqual(['a:up', 'b:up']);
    // the handshake does not wait for the slow timer: state changes are sent at once
    expect(Math.max(...events.map((e) => e.at))).toBeLessThan(50);
    clock.advance(60_000);
    expect(events).toHaveLength(2);
    expect(a.detectionTimeMs).toBe(900);
  });

  it('sends at the configured rate once Up (about 3.3–4.4 packets/s at 300 ms with jitter)', async () => {
    const { clock, net, a, b } = lab();
    await a.start();
    await b.start();
    clock.advance(5000);
    const before = net.sent;
    clock.advance(10_000);
    const perSecondBoth = (net.sent - before) / 10;
    expect(perSecondBoth / 2).toBeGreaterThan(3.3);
    expect(perSecondBoth / 2).toBeLessThan(4.5);
  });

  it('reports down with "Control Detection Time Expired" when the peer goes silent', async () => {
    const { clock, net, a, b, events } = lab();
    await a.start();
    await b.start();
    clock.advance(3000);
    const silencedAt = clock.now();
    net.silenced.add('192.0.2.2');
    clock.advance(5000);
    const down = events.find((e) => e.kind === 'down' && e.who === 'a');
    expect(down?.change).toMatchObject({
      from: 'Up',
      to: 'Down',
      diag: 1,
      diagName: 'Control Detection Time Expired',
      peer: '192.0.2.2',
    });
    // detection within detect mult × interval (900 ms) of the last packet, which came ≤ 300 ms before silence
    expect(down!.at - silencedAt).toBeLessThanOrEqual(900);
    expect(down!.at - silencedAt).toBeGreaterThan(500);
    // and comes back once the path heals
    net.silenced.clear();
    clock.advance(5000);
    expect(a.state).toBe('Up');
    expect(b.state).toBe('Up');
  });

  it('stop() tells the peer AdminDown: it goes down with "Neighbor Signaled Session Down"', async () => {
    const { clock, a, b, events } = lab();
    await a.start();
    await b.start();
    clock.advance(3000);
    a.stop();
    clock.advance(10);
    expect(events.filter((e) => e.kind === 'down')).toMatchObject([
      { who: 'b', change: { diag: 3, diagName: 'Neighbor Signaled Session Down' } },
    ]);
    expect(a.state).toBe('AdminDown');
    await expect(a.start()).rejects.toThrow(/was stopped/);
    b.stop();
    expect(clock.armed).toBeLessThanOrEqual(1); // at most a packet still in flight, no session timers
  });

  it('drops packets not received with TTL 255 (RFC 5881 GTSM) and never comes Up', async () => {
    const { clock, net, a, b } = lab();
    net.ttl = 254;
    await a.start();
    await b.start();
    clock.advance(5000);
    expect(a.state).toBe('Down');
    expect(a.counters.drops['bad-ttl']).toBeGreaterThan(3);
  });

  it('multihop (RFC 5883): accepts TTL down to profile.minimumTtl, drops below', async () => {
    const ok = lab(DEFAULT_BFD_PROFILE, DEFAULT_BFD_PROFILE, true);
    ok.net.ttl = 254; // DEFAULT_BFD_PROFILE.minimumTtl
    await ok.a.start();
    await ok.b.start();
    ok.clock.advance(3000);
    expect(ok.a.state).toBe('Up');
    const low = lab(DEFAULT_BFD_PROFILE, DEFAULT_BFD_PROFILE, true);
    low.net.ttl = 253;
    await low.a.start();
    await low.b.start();
    low.clock.advance(3000);
    expect(low.a.state).toBe('Down');
    expect(low.a.counters.drops['bad-ttl']).toBeGreaterThan(0);
    expect(
      () =>
        new BfdSession({
          local: '192.0.2.1',
          peer: '192.0.2.2',
          multihop: true,
          profile: { ...DEFAULT_BFD_PROFILE, name: 'mh', minimumTtl: 0 },
        }),
    ).toThrow(/BFDProfile mh: minimumTtl must be an integer in 1\.\.255, got 0/);
  });

  it('a passive side waits for the active side', async () => {
    const { clock, a, b } = lab(
      { ...DEFAULT_BFD_PROFILE, passiveMode: true },
      { ...DEFAULT_BFD_PROFILE, passiveMode: true },
    );
    await a.start();
    await b.start();
    clock.advance(5000);
    expect(a.counters.sent + b.counters.sent).toBe(0);
    expect(a.state).toBe('Down');
  });

  it('profile changes in Up run a poll sequence and keep the session Up', async () => {
    const { clock, a, b, events } = lab();
    await a.start();
    await b.start();
    clock.advance(3000);
    a.setProfile({ ...DEFAULT_BFD_PROFILE, transmitInterval: 1000, receiveInterval: 1000 });
    clock.advance(10_000);
    expect(a.state).toBe('Up');
    expect(b.detectionTimeMs).toBe(3000);
    expect(events.filter((e) => e.kind === 'down')).toEqual([]);
  });

  it('rejects bad profiles naming the field', () => {
    expect(
      () =>
        new BfdSession({
          local: '192.0.2.1',
          peer: '192.0.2.2',
          profile: { ...DEFAULT_BFD_PROFILE, name: 'fast', detectMultiplier: 1 },
        }),
    ).toThrow(/BFDProfile fast: detectMultiplier must be an integer in 2\.\.255, got 1/);
  });
});
