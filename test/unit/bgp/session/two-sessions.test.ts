// Two FerroLB sessions peering over real loopback TCP: routes set on one arrive as decoded UPDATEs on the
// other; changes are sent as diffs; a clean stop sends Cease 6/2.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Update } from '../../../../src/bgp/codec/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import type { Route } from '../../../../src/bgp/routes.ts';
import { BgpListener } from '../../../../src/bgp/session/listener.ts';
import type { NotificationEvent } from '../../../../src/bgp/session/session.ts';
import { BgpSession } from '../../../../src/bgp/session/session.ts';
import { parseIp } from '../../../../src/net/ip.ts';
import { activeEnd, passiveEnd } from './ends.ts';
import { eventually } from './raw-peer.ts';
import { hostRoute as route } from './host-route.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FAST_RETRY = { minSeconds: 0.02, maxSeconds: 0.1 };

async function pair(opts: { holdTime?: number } = {}) {
  const listener = new BgpListener({ port: 0, host: '127.0.0.1' });
  const b = new BgpSession(passiveEnd({ holdTime: opts.holdTime ?? 90, connectRetry: FAST_RETRY }));
  listener.add(b);
  const port = await listener.start();
  const a = new BgpSession(
    activeEnd(port, {
      nextHops: { ipv4: '198.51.100.1', ipv6: '2001:db8::1' },
      gracefulRestart: { restartTime: 120, restarting: false },
      holdTime: opts.holdTime ?? 90,
      connectRetry: FAST_RETRY,
    }),
  );
  const received: Update[] = [];
  b.on('update', (u: Update) => received.push(u));
  cleanups.push(async () => {
    await a.stop();
    await b.stop();
    await listener.close();
  });
  b.start();
  a.start();
  await eventually(() => a.isEstablished && b.isEstablished, 'both Established');
  return { a, b, received, listener };
}

/** Prefixes B currently has from A, replaying the UPDATEs it decoded. */
function ribOf(updates: Update[]): Set<string> {
  const rib = new Set<string>();
  for (const u of updates) {
    for (const p of u.withdrawn) rib.delete(formatPrefix(p));
    for (const a of u.attributes)
      if (a.type === 'MP_UNREACH_NLRI') for (const p of a.withdrawn) rib.delete(formatPrefix(p));
    for (const p of u.nlri) rib.add(formatPrefix(p));
    for (const a of u.attributes) if (a.type === 'MP_REACH_NLRI') for (const p of a.nlri) rib.add(formatPrefix(p));
  }
  return rib;
}

describe('two FerroLB sessions over loopback', () => {
  it('negotiates, advertises, diffs, withdraws and ends with Cease', async () => {
    const { a, b, received } = await pair({ holdTime: 30 });
    expect(a.negotiatedParameters).toMatchObject({ holdTime: 30, keepaliveTime: 10, fourOctetAs: true });
    expect(b.negotiatedParameters?.gracefulRestart).toEqual({ restarting: false, restartTime: 120 });

    const routes = [
      route('203.0.113.10', { communities: [((64512 << 16) | 7) >>> 0] }),
      route('203.0.113.11'),
      route('2001:db8:1::10', { largeCommunities: [{ globalAdmin: 64512, localData1: 1, localData2: 2 }] }),
    ];
    a.set(routes);
    await eventually(() => b.counters.prefixesReceived === 3, 'B holds 3 prefixes');
    expect(ribOf(received)).toEqual(new Set(['203.0.113.10/32', '203.0.113.11/32', '2001:db8:1::10/128']));
    // End-of-RIB for both families after the initial (empty) table.
    expect(
      received.filter((u) => u.nlri.length === 0 && u.withdrawn.length === 0 && u.attributes.length <= 1).length,
    ).toBeGreaterThanOrEqual(2);
    const v4 = received.find((u) => u.nlri.some((p) => formatPrefix(p) === '203.0.113.10/32'));
    expect(v4?.attributes).toContainEqual({ type: 'NEXT_HOP', nextHop: parseIp('198.51.100.1')?.value });
    expect(v4?.attributes).toContainEqual({ type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64512] }] });
    expect(v4?.attributes).toContainEqual({ type: 'COMMUNITIES', communities: [((64512 << 16) | 7) >>> 0] });
    const v6 = received.find((u) => u.attributes.some((x) => x.type === 'MP_REACH_NLRI'));
    const reach = v6?.attributes.find((x) => x.type === 'MP_REACH_NLRI');
    expect(reach?.type === 'MP_REACH_NLRI' && reach.nextHop).toBe(parseIp('2001:db8::1')?.value);

    // Same desired state again: nothing sent.
    const sent = a.counters.updatesSent;
    a.set([...routes]);
    expect(a.counters.updatesSent).toBe(sent);

    // Withdraw one, change another's attributes.
    const before = received.length;
    a.set([route('203.0.113.10', { communities: [((64512 << 16) | 8) >>> 0] }), routes[2] as Route]);
    await eventually(
      () => b.counters.prefixesReceived === 2 && received.length >= before + 2,
      'withdrawal and re-announcement arrive',
    );
    expect(ribOf(received)).toEqual(new Set(['203.0.113.10/32', '2001:db8:1::10/128']));
    expect(a.inSync).toBe(true);

    const notes: NotificationEvent[] = [];
    b.on('notification', (n: NotificationEvent) => notes.push(n));
    await a.stop();
    await eventually(() => b.state !== 'Established', 'B leaves Established');
    expect(notes).toContainEqual({ peer: '127.0.0.1', direction: 'received', code: 6, subcode: 2 });
    expect(b.counters.prefixesReceived).toBe(0);
  });

  it('sends the whole table again after the session re-establishes', async () => {
    const { a, b } = await pair();
    a.set([route('203.0.113.20'), route('203.0.113.21')]);
    await eventually(() => b.counters.prefixesReceived === 2, 'B holds 2 prefixes');
    b.bfdDown(); // tear down from B's side (as BFD would); both reconnect after the back-off
    await eventually(() => !a.isEstablished || a.counters.establishedTransitions > 1, 'A notices');
    await eventually(
      () => a.isEstablished && b.isEstablished && b.counters.prefixesReceived === 2,
      're-established with the table',
      10_000,
    );
    expect(a.counters.establishedTransitions).toBe(2);
  });

  it('both sides connecting at once end with a single shared connection', async () => {
    // Each side listens on its own loopback address and connects to the other: a real collision race.
    const la = new BgpListener({ port: 0, host: '127.0.0.1' });
    const lb = new BgpListener({ port: 0, host: '127.0.0.2' });
    const common = { localAsn: 64512, peerAsn: 64512, connectRetry: FAST_RETRY };
    const [pa, pb] = [await la.start(), await lb.start()];
    const a = new BgpSession({
      ...common,
      peerAddress: '127.0.0.2',
      peerPort: pb,
      sourceAddress: '127.0.0.1',
      routerId: '192.0.2.1',
      nextHops: { ipv4: '198.51.100.1' },
    });
    const b = new BgpSession({
      ...common,
      peerAddress: '127.0.0.1',
      peerPort: pa,
      sourceAddress: '127.0.0.2',
      routerId: '192.0.2.2',
    });
    la.add(a);
    lb.add(b);
    cleanups.push(async () => {
      await a.stop();
      await b.stop();
      await la.close();
      await lb.close();
    });
    a.start();
    b.start();
    await eventually(() => a.isEstablished && b.isEstablished, 'both Established');
    // One TCP connection: what A accepted, B opened, and the other way round.
    expect([a.connectionDirection, b.connectionDirection].sort()).toEqual(['in', 'out']);
    expect(a.localAddress).toBe('127.0.0.1');
    a.set([route('203.0.113.30')]);
    await eventually(() => b.counters.prefixesReceived === 1, 'route crosses the surviving connection');
  });

  it('after any sequence of set() calls the peer holds exactly the last desired routes', async () => {
    const { a, b, received } = await pair();
    const setArb = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 25 });
    const steps = fc.sample(fc.array(setArb, { minLength: 1, maxLength: 8 }), { numRuns: 4, seed: 4724 }).flat();
    let expected = new Set<string>();
    for (const hosts of steps) {
      const routes = hosts.map((h) => route(`203.0.113.${h}`, { communities: [h % 3] }));
      a.set(routes);
      expected = new Set(routes.map((r) => formatPrefix(r.prefix)));
      await eventually(() => setsEqual(ribOf(received), expected), `peer converges on ${expected.size} prefixes`);
    }
    expect(b.counters.prefixesReceived).toBe(expected.size);
    expect(a.inSync).toBe(true);
  });
});

function setsEqual(x: Set<string>, y: Set<string>): boolean {
  return x.size === y.size && [...x].every((v) => y.has(v));
}
