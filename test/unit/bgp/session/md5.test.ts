// Sessions with a TCP MD5 password (RFC 2385) on loopback through the native addon: the active side signs
// its SYN, the shared listener holds the peer's key, and the session comes up. A wrong key never gets a
// SYN-ACK (the kernel drops unsigned/badly signed segments), so the attempt ends in a connect failure.
import { afterEach, describe, expect, it } from 'vitest';
import { BgpListener } from '../../../../src/bgp/session/listener.ts';
import type { StateChange } from '../../../../src/bgp/session/session.ts';
import { BgpSession } from '../../../../src/bgp/session/session.ts';
import { activeEnd, passiveEnd } from './ends.ts';
import { eventually } from './raw-peer.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function passivePeer(password: string) {
  const listener = new BgpListener({ port: 0, host: '127.0.0.1', native: true });
  const b = new BgpSession(passiveEnd());
  listener.add(b, password);
  const port = await listener.start();
  b.start();
  cleanups.push(async () => {
    await b.stop();
    await listener.close();
  });
  return { b, port };
}

function activeSession(port: number, password: string) {
  const a = new BgpSession(
    activeEnd(port, { password, connectTimeoutMs: 500, connectRetry: { minSeconds: 30, maxSeconds: 60 } }),
  );
  cleanups.push(() => a.stop());
  return a;
}

describe('TCP MD5 sessions', () => {
  it('establishes when both sides use the same key', async () => {
    const { b, port } = await passivePeer('s3cret-key');
    const a = activeSession(port, 's3cret-key');
    a.start();
    await eventually(() => a.isEstablished && b.isEstablished, 'both Established');
  });

  it('fails to connect with a different key', async () => {
    const { b, port } = await passivePeer('s3cret-key');
    const a = activeSession(port, 'other-key');
    const states: StateChange[] = [];
    a.on('state', (c: StateChange) => states.push(c));
    a.start();
    await eventually(() => states.some((c) => c.state === 'Idle'), 'the connect attempt ends');
    expect(states.find((c) => c.state === 'Idle')?.reason).toMatch(/connect failed: .*ETIMEDOUT/);
    expect(b.state).toBe('Active');
  });
});
