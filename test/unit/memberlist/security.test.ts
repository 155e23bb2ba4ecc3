// The AES-256-GCM layer over the in-memory network: authentic packets pass; wrong key, other cluster
// label, plaintext, replays, stale, truncated and garbage packets are refused and counted; a key rotation
// (add, make primary, remove) keeps the cluster whole.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { MemoryNetwork, seededRandom } from '../../helpers/memory-network.ts';
import type { Address } from '../../../src/memberlist/codec/index.ts';
import { Swim, resolveSwimConfig } from '../../../src/memberlist/core/index.ts';
import { Keyring, SecureTransport, parseKeyFile } from '../../../src/memberlist/index.ts';
import type { SecurityDropReason } from '../../../src/memberlist/index.ts';

const addr = (i: number): Address => ({ ip: `203.0.113.${i + 1}`, port: 7946 });

function pair(opts: { keysA?: Uint8Array[]; keysB?: Uint8Array[]; labelB?: string; plainB?: boolean } = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock, seededRandom(1));
  const key = new Uint8Array(randomBytes(32));
  const drops: SecurityDropReason[] = [];
  const got: Uint8Array[] = [];
  const a = net.attach(addr(0));
  const b = net.attach(addr(1));
  const sa = new SecureTransport(a.transport, {
    keyring: new Keyring(opts.keysA ?? [key]),
    label: 'c1',
    allowPlaintext: false,
    clock,
    onDrop: () => {},
  });
  const sb = new SecureTransport(b.transport, {
    keyring: opts.plainB ? undefined : new Keyring(opts.keysB ?? [key]),
    label: opts.labelB ?? 'c1',
    allowPlaintext: opts.plainB ?? false,
    clock,
    onDrop: (r) => drops.push(r),
  });
  sb.setHandlers({ onPacket: (d) => got.push(d), onStream: (d) => d });
  sa.setHandlers({ onPacket: () => {}, onStream: () => undefined });
  return { clock, net, sa, sb, a, drops, got, key };
}

describe('memberlist security layer', () => {
  it('delivers authentic packets and refuses a replay of the same packet', () => {
    const p = pair();
    const sealed = p.sa.seal(new Uint8Array([1, 2, 3]));
    expect(p.sb.open(sealed)).toEqual(new Uint8Array([1, 2, 3]));
    expect(p.sb.open(sealed)).toBe('replayed');
    p.sa.sendPacket(addr(1), new Uint8Array([9]));
    p.clock.advance(5);
    expect(p.got).toEqual([new Uint8Array([9])]);
  });

  it('refuses wrong key, other label, plaintext, stale, truncated, tampered and garbage; counts each', () => {
    const other = new Uint8Array(randomBytes(32));
    const wrongKey = pair({ keysB: [other] });
    expect(wrongKey.sb.open(wrongKey.sa.seal(new Uint8Array([1])))).toBe('auth-failed');
    const wrongLabel = pair({ labelB: 'c2' });
    expect(wrongLabel.sb.open(wrongLabel.sa.seal(new Uint8Array([1])))).toBe('auth-failed');

    const p = pair();
    expect(p.sb.open(new Uint8Array([0, 1, 2, 3]))).toBe('plaintext-refused');
    expect(p.sb.open(new Uint8Array([]))).toBe('empty');
    expect(p.sb.open(new Uint8Array([7, 1, 2]))).toBe('unknown-format');
    const sealed = p.sa.seal(new Uint8Array([1, 2, 3, 4]));
    expect(p.sb.open(sealed.subarray(0, 20))).toBe('truncated');
    const tampered = sealed.slice();
    tampered[25] = (tampered[25] as number) ^ 1;
    expect(p.sb.open(tampered)).toBe('auth-failed');
    const old = p.sa.seal(new Uint8Array([5]));
    p.clock.advance(31_000);
    expect(p.sb.open(old)).toBe('stale');
    for (let i = 0; i < 50; i++) p.sb.open(new Uint8Array(randomBytes(1 + i * 7)));

    // Through the transport: each refusal reaches onDrop and nothing reaches the protocol.
    p.got.length = 0;
    p.drops.length = 0;
    const raw = p.net.attach(addr(5)).transport;
    raw.sendPacket(addr(1), new Uint8Array([0, 1, 2]));
    raw.sendPacket(addr(1), new Uint8Array(randomBytes(64)));
    raw.sendPacket(addr(1), sealed);
    p.clock.advance(5);
    expect(p.got).toEqual([]);
    expect(p.drops.length).toBe(3);
  });

  it('a long run from one sender passes whole; replays inside the window are refused, older ones too', () => {
    const p = pair();
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 3 * 4096 + 7; i++) sealed.push(p.sa.seal(new Uint8Array([i & 255])));
    // Out of order by a few, as UDP may deliver them.
    for (let i = 0; i < sealed.length; i += 2) {
      if (sealed[i + 1]) expect(p.sb.open(sealed[i + 1]!)).toBeInstanceOf(Uint8Array);
      expect(p.sb.open(sealed[i]!)).toBeInstanceOf(Uint8Array);
    }
    expect(p.sb.open(sealed.at(-1)!)).toBe('replayed');
    expect(p.sb.open(sealed.at(-4000)!)).toBe('replayed');
    expect(p.sb.open(sealed[5]!)).toBe('replayed');
  });

  it('past MAX_SENDERS sender instances, the one heard from least recently is forgotten', () => {
    const p = pair();
    const first = p.sa.seal(new Uint8Array([1]));
    expect(p.sb.open(first)).toBeInstanceOf(Uint8Array);
    // Another sender instance: a new random instance id, the same key and label.
    const sender = (): SecureTransport =>
      new SecureTransport(p.a.transport, {
        keyring: new Keyring([p.key]),
        label: 'c1',
        allowPlaintext: false,
        clock: p.clock,
        onDrop: () => {},
      });
    const others: Uint8Array[] = [];
    for (let i = 1; i < SecureTransport.MAX_SENDERS; i++) {
      others.push(sender().seal(new Uint8Array([2])));
      expect(p.sb.open(others.at(-1)!)).toBeInstanceOf(Uint8Array);
    }
    // The first sender is heard again, so the second is now the least recent; a new sender evicts it.
    expect(p.sb.open(p.sa.seal(new Uint8Array([3])))).toBeInstanceOf(Uint8Array);
    expect(p.sb.open(sender().seal(new Uint8Array([4])))).toBeInstanceOf(Uint8Array);
    expect(p.sb.open(first)).toBe('replayed');
    expect(p.sb.open(others[1]!)).toBe('replayed');
    expect(p.sb.open(others[0]!)).toBeInstanceOf(Uint8Array);
  });

  it('plaintext only when explicitly allowed', () => {
    expect(
      () =>
        new SecureTransport(pair().a.transport, {
          keyring: undefined,
          label: 'x',
          allowPlaintext: false,
          clock: new FakeClock(),
          onDrop: () => {},
        }),
    ).toThrow(/plaintext/);
    const p = pair({ plainB: true });
    expect(p.sb.open(new Uint8Array([0, 4, 5]))).toEqual(new Uint8Array([4, 5]));
  });

  it('key files: base64 32-octet keys, errors name the line', () => {
    const k = Buffer.from(randomBytes(32)).toString('base64');
    expect(parseKeyFile(`# primary\n${k}\n\n${k}\n`, 'f')).toHaveLength(2);
    expect(() => parseKeyFile(`${k}\nnot base64!\n`, 'keys.txt')).toThrow('keys.txt:2: not base64');
    expect(() => parseKeyFile(`${Buffer.from('short').toString('base64')}\n`, 'k')).toThrow('k:1: key has 5 octets');
    expect(() => parseKeyFile('\n', 'k')).toThrow('k: no keys');
  });

  it('a cluster of 4 rotates its key (add, switch primary, remove old) without a false death', () => {
    const clock = new FakeClock();
    const random = seededRandom(3);
    const net = new MemoryNetwork(clock, random);
    const k1 = new Uint8Array(randomBytes(32));
    const k2 = new Uint8Array(randomBytes(32));
    const rings: Keyring[] = [];
    const deaths: string[] = [];
    const nodes: Swim[] = [];
    for (let i = 0; i < 4; i++) {
      const { transport, clock: c } = net.attach(addr(i));
      const ring = new Keyring([k1]);
      rings.push(ring);
      const st = new SecureTransport(transport, {
        keyring: ring,
        label: 'c',
        allowPlaintext: false,
        clock,
        onDrop: () => {},
      });
      const s = new Swim(resolveSwimConfig({ name: `k${i}`, addr: addr(i) }), {
        clock: c,
        transport: st,
        random,
        hooks: { onEvent: (e) => e.kind === 'leave' && deaths.push(`${e.member.name}`) },
      });
      s.start();
      if (i > 0) s.join([addr(0)]);
      nodes.push(s);
    }
    const alive = (): boolean => nodes.every((n) => n.members().filter((m) => m.state === 'alive').length === 4);
    for (let t = 0; t < 5_000 && !alive(); t += 10) clock.advance(10);
    expect(alive()).toBe(true);
    // One node at a time, with time passing between: what a rolling Secret update does.
    const step = (f: (r: Keyring) => void): void => {
      for (const r of rings) {
        f(r);
        clock.advance(700);
      }
    };
    step((r) => r.set([k1, k2]));
    step((r) => r.set([k2, k1]));
    step((r) => r.set([k2]));
    clock.advance(10_000);
    expect(deaths).toEqual([]);
    expect(alive()).toBe(true);
    // A node left on the removed key is cut off and declared dead, proving the old key no longer works.
    rings[3]?.set([k1]);
    for (let t = 0; t < 5_000 && !nodes[0]?.members().some((m) => m.name === 'k3' && m.state === 'dead'); t += 10)
      clock.advance(10);
    expect(nodes[0]?.members().find((m) => m.name === 'k3')?.state).toBe('dead');
  });
});
