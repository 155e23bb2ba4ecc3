// The Memberlist facade over real UDP/TCP sockets on 127.0.0.1: join, events, members, leave; garbage
// datagrams, a plaintext injection, a wrong-key node and a flood of idle TCP connections change nothing and
// are counted; key rotation through setKeyring. Waits are polled and bounded (no timing assertions).
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/index.ts';
import { Memberlist } from '../../../src/memberlist/index.ts';
import type { MembershipEvent } from '../../../src/memberlist/index.ts';

const live: Memberlist[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((m) => m.shutdown()));
});

async function node(name: string, keys: Uint8Array[], events: MembershipEvent[] = []): Promise<Memberlist> {
  const ml = new Memberlist({ name, keys, logger: createLogger({ level: 'silent' }), maxConnections: 16 });
  ml.subscribe((e) => events.push(e));
  await ml.start('127.0.0.1', 0);
  live.push(ml);
  return ml;
}

async function waitFor(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const aliveCount = (m: Memberlist): number => m.members().filter((x) => x.state === 'alive').length;

async function dropped(m: Memberlist, reason: string): Promise<number> {
  const v = (await m.metrics.dropped.get()).values.find((x) => x.labels.reason === reason);
  return v?.value ?? 0;
}

describe('Memberlist over loopback sockets', () => {
  it('three nodes join, see a graceful leave; garbage, plaintext, wrong key and a connection flood change nothing', async () => {
    const key = new Uint8Array(randomBytes(32));
    const eventsA: MembershipEvent[] = [];
    const a = await node('a', [key], eventsA);
    const b = await node('b', [key]);
    const c = await node('c', [key]);
    // join() resolves with how many answered now (a loaded machine may time a first dial out; the peers
    // stay configured and are re-dialled).
    expect(await b.join([`127.0.0.1:${a.port}`])).toBeLessThanOrEqual(1);
    await c.join([`127.0.0.1:${a.port}`]);
    await waitFor(() => [a, b, c].every((m) => aliveCount(m) === 3), 'three alive members everywhere');
    expect(
      a
        .members()
        .map((m) => m.name)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(
      eventsA
        .filter((e) => e.kind === 'join')
        .map((e) => e.member.name)
        .sort(),
    ).toEqual(['b', 'c']);

    // Garbage and plaintext datagrams.
    const udp = createSocket('udp4');
    for (let i = 0; i < 50; i++) udp.send(randomBytes(1 + i * 5), a.port as number, '127.0.0.1');
    udp.send(Buffer.from([0, 1, 3, 0, 0, 0, 1]), a.port as number, '127.0.0.1');
    // A wrong-key node tries to join.
    const intruder = await node('intruder', [new Uint8Array(randomBytes(32))]);
    expect(await intruder.join([`127.0.0.1:${a.port}`])).toBe(0);
    // One stream claiming a 1 GiB frame, then a flood of TCP connections that send nothing.
    const big = connect(a.port as number, '127.0.0.1', () => big.write(Buffer.from([0x40, 0, 0, 0])));
    big.on('error', () => {});
    await waitFor(() => big.destroyed || big.readyState === 'closed', 'the oversized stream closed', 5_000);
    const socks: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const s = connect(a.port as number, '127.0.0.1');
      s.on('error', () => {});
      socks.push(s);
    }
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await dropped(a, 'auth-failed')).toBeGreaterThan(0);
    expect(await dropped(a, 'plaintext-refused')).toBeGreaterThanOrEqual(1); // random garbage may start with 0 too
    expect(await dropped(a, 'stream-limit')).toBeGreaterThan(0);
    expect(await dropped(a, 'stream-too-large')).toBeGreaterThanOrEqual(1);
    for (const s of socks) s.destroy();
    udp.close();
    expect(a.members().some((m) => m.name === 'intruder')).toBe(false);
    await waitFor(() => aliveCount(a) === 3, 'a still sees three alive members');

    // Key rotation on the live sockets: add k2, make it primary, remove k1 — one node at a time.
    const k2 = new Uint8Array(randomBytes(32));
    for (const m of [a, b, c]) m.setKeyring([key, k2]);
    for (const m of [a, b, c]) m.setKeyring([k2, key]);
    for (const m of [a, b, c]) m.setKeyring([k2]);
    await new Promise((r) => setTimeout(r, 1_000));
    await waitFor(() => [a, b, c].every((m) => aliveCount(m) === 3), 'three alive everywhere on the new key');
    expect(a.members().some((m) => m.name === 'intruder')).toBe(false);

    // Graceful leave.
    await c.leave();
    await waitFor(() => a.members().find((m) => m.name === 'c')?.state === 'left', 'a sees c left', 5_000);
    expect(eventsA.find((e) => e.kind === 'leave' && e.member.name === 'c')?.member.state).toBe('left');
    const text = await a.metrics.registry.metrics();
    expect(text).toMatch(/ferrolb_memberlist_members\{state="left"\} 1/);
    expect(text).toMatch(/ferrolb_memberlist_probes_total\{result="ack"\} \d+/);
  });

  it('refuses to start without a key unless plaintext is explicit', () => {
    expect(() => new Memberlist({ name: 'x' })).toThrow(/no encryption key/);
    expect(() => new Memberlist({ name: 'x', keys: [new Uint8Array(16)] })).toThrow(/32/);
  });
});
