// A session against a misbehaving peer on a real loopback socket (issue 11): ROUTE-REFRESH per family
// and coalesced, enhanced route refresh (RFC 7313), bounded reads per turn of the event loop, bounded
// output and the RFC 9687 send hold timer for a peer that never reads, AS_CONFED from an eBGP peer,
// and a flood of malformed UPDATEs that is counted in full but logged in a few lines.
import { Writable } from 'node:stream';
import { createLogger } from '../../../../src/log/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../../../src/bgp/codec/index.ts';
import type { BgpMessage, Update } from '../../../../src/bgp/codec/index.ts';
import { BgpMetrics } from '../../../../src/bgp/speaker/metrics.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import type { SessionOptions } from '../../../../src/bgp/session/session.ts';
import { BgpSession } from '../../../../src/bgp/session/session.ts';
import { formatIp, parseIp } from '../../../../src/net/ip.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import { activeEnd } from './ends.ts';
import { hostRoute as route } from './host-route.ts';
import { establish, eventually, peerOpen, rawServer } from './raw-peer.ts';
import type { RawPeer } from './raw-peer.ts';

const CTX = { fourOctetAs: true };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sessionWithRawPeer(over: Partial<SessionOptions> = {}) {
  const server = await rawServer();
  const session = new BgpSession(
    activeEnd(server.port, { nextHops: { ipv4: '198.51.100.1', ipv6: '2001:db8::1' }, ...over }),
  );
  cleanups.push(async () => {
    await session.stop();
    await server.close();
  });
  session.start();
  const peer = await server.accept();
  return { session, peer };
}

/** Waits until the initial table and End-of-RIB of each family are in, then forgets them. */
async function takeInitialTable(peer: RawPeer, families: number): Promise<void> {
  for (let eor = 0; eor < families;) {
    const u = await peer.next('UPDATE');
    if (isEndOfRib(u)) eor++;
  }
  peer.received.length = 0;
}

function isEndOfRib(u: Update): boolean {
  if (u.nlri.length > 0 || u.withdrawn.length > 0) return false;
  return (
    u.attributes.length === 0 ||
    (u.attributes.length === 1 && u.attributes[0]?.type === 'MP_UNREACH_NLRI' && u.attributes[0].withdrawn.length === 0)
  );
}

function announced(u: Update): string[] {
  const mp = u.attributes.flatMap((a) => (a.type === 'MP_REACH_NLRI' ? a.nlri : []));
  return [...u.nlri, ...mp].map(formatPrefix).sort();
}

const refresh = (afi: number, safi: number, subtype = 0): Uint8Array =>
  encodeMessage({ type: 'ROUTE-REFRESH', afi, safi, subtype }, CTX);

function repeat(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(bytes.length * n);
  for (let i = 0; i < n; i++) out.set(bytes, i * bytes.length);
  return out;
}

/** `n` IPv6 host routes from 2001:db8:100::/48 (documentation space). */
function v6Routes(n: number) {
  const base = parseIp('2001:db8:100::')!.value;
  return Array.from({ length: n }, (_, i) => route(formatIp('ipv6', base + BigInt(i + 1))));
}

/** A manual event-loop turn queue: deferred work runs only when the test says so. */
function manualDefer() {
  const queue: (() => void)[] = [];
  return {
    defer: (fn: () => void) => void queue.push(fn),
    get length() {
      return queue.length;
    },
    runOne() {
      queue.shift()?.();
    },
  };
}

describe('ROUTE-REFRESH per AFI/SAFI (RFC 2918 §4)', () => {
  it('resends only the requested family, and ignores unknown or not negotiated ones', async () => {
    const { session, peer } = await sessionWithRawPeer();
    session.set([route('203.0.113.5'), route('2001:db8::5')]);
    await establish(session, peer);
    await takeInitialTable(peer, 2);

    peer.sendRaw(refresh(2, 1));
    expect(announced(await peer.next('UPDATE'))).toEqual(['2001:db8::5/128']);
    peer.sendRaw(refresh(999, 77));
    peer.sendRaw(refresh(1, 2)); // IPv4 multicast: not negotiated
    peer.sendRaw(refresh(1, 1, 7)); // reserved subtype (RFC 7313 §5)
    peer.sendRaw(refresh(1, 1));
    // The next UPDATE is the IPv4 resend: nothing was sent for the three ignored requests before it.
    expect(announced(await peer.next('UPDATE'))).toEqual(['203.0.113.5/32']);
    await eventually(() => session.counters.routeRefreshesReceived === 5, 'all refreshes handled');
    expect(session.counters.routeRefreshesIgnored).toBe(3);
    expect(session.counters.routeRefreshResends).toBe(2);
    expect(peer.received.filter((m) => m.type === 'UPDATE')).toEqual([]);
    expect(session.isEstablished).toBe(true);
  });

  it('a peer without IPv6 gets nothing for an IPv6 refresh', async () => {
    const { session, peer } = await sessionWithRawPeer();
    session.set([route('203.0.113.5'), route('2001:db8::5')]);
    await establish(session, peer, {
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'ROUTE_REFRESH' },
        { type: 'FOUR_OCTET_AS', asn: 64513 },
      ],
    });
    await takeInitialTable(peer, 1);
    peer.sendRaw(refresh(2, 1));
    peer.sendRaw(refresh(1, 1));
    expect(announced(await peer.next('UPDATE'))).toEqual(['203.0.113.5/32']);
    expect(session.counters.routeRefreshesIgnored).toBe(1);
  });
});

describe('Enhanced Route Refresh (RFC 7313)', () => {
  it('offers capability 70 and frames a resend with BoRR and EoRR when the peer offers it too', async () => {
    const { session, peer } = await sessionWithRawPeer();
    session.set([route('203.0.113.5'), route('2001:db8::5')]);
    await peer
      .next('OPEN')
      .then((open) => expect(open.capabilities).toContainEqual({ type: 'ENHANCED_ROUTE_REFRESH' }));
    peer.send(peerOpen({ capabilities: [...peerOpen().capabilities, { type: 'ENHANCED_ROUTE_REFRESH' }] }));
    peer.send({ type: 'KEEPALIVE' });
    await eventually(() => session.isEstablished, 'Established');
    expect(session.negotiatedParameters?.enhancedRouteRefresh).toBe(true);
    await takeInitialTable(peer, 2);
    peer.sendRaw(refresh(2, 1));
    await eventually(() => peer.received.filter((m) => m.type === 'ROUTE-REFRESH').length === 2, 'BoRR and EoRR');
    const seq = peer.received.filter((m) => m.type !== 'KEEPALIVE');
    expect(seq.map((m) => m.type)).toEqual(['ROUTE-REFRESH', 'UPDATE', 'ROUTE-REFRESH']);
    expect(seq[0]).toMatchObject({ afi: 2, safi: 1, subtype: 1 });
    expect(announced(seq[1] as Update)).toEqual(['2001:db8::5/128']);
    expect(seq[2]).toMatchObject({ afi: 2, safi: 1, subtype: 2 });
  });

  it('without the peer capability: no BoRR/EoRR', async () => {
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'] });
    session.set([route('203.0.113.5')]);
    await establish(session, peer);
    await takeInitialTable(peer, 1);
    peer.sendRaw(refresh(1, 1));
    expect(announced(await peer.next('UPDATE'))).toEqual(['203.0.113.5/32']);
    expect(peer.received.filter((m: BgpMessage) => m.type === 'ROUTE-REFRESH')).toEqual([]);
  });

  it("the peer's BoRR/EoRR drop the routes it did not announce again (Adj-RIB-In)", async () => {
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'] });
    await establish(session, peer);
    const upd = (nlri: string[]): Update => ({
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64513] }] },
        { type: 'NEXT_HOP', nextHop: 0xc6336402n },
      ],
      nlri: nlri.map((p) => ({ family: 'ipv4' as const, prefix: parseIp(p)!.value, length: 32 })),
    });
    peer.send(upd(['203.0.113.1', '203.0.113.2', '203.0.113.3']));
    await eventually(() => session.counters.prefixesReceived === 3, 'three routes in');
    peer.sendRaw(refresh(1, 1, 1));
    peer.send(upd(['203.0.113.2']));
    peer.sendRaw(refresh(1, 1, 2));
    await eventually(() => session.counters.prefixesReceived === 1, 'stale routes dropped at EoRR');
  });
});

describe('a ROUTE-REFRESH storm', () => {
  it('is read in bounded batches, one per turn of the event loop, with at most one resend pending', async () => {
    const turns = manualDefer();
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'], defer: turns.defer });
    session.set([route('203.0.113.5')]);
    await establish(session, peer);
    await takeInitialTable(peer, 1);
    const before = session.counters.routeRefreshesReceived;
    peer.sendRaw(repeat(refresh(1, 1), 10_000));
    // Whatever arrived so far: one batch handled, the rest waits for the next turn.
    await eventually(() => turns.length > 0 && session.counters.routeRefreshesReceived > before, 'first batch read');
    expect(session.counters.routeRefreshesReceived - before).toBe(64);
    let guard = 0;
    while (session.counters.routeRefreshesReceived - before < 10_000) {
      if (turns.length > 0) turns.runOne();
      else await new Promise((r) => setTimeout(r, 1)); // more bytes to arrive
      if (++guard > 1_000_000) throw new Error('storm not read');
    }
    while (turns.length > 0) turns.runOne();
    const c = session.counters;
    // Each batch (at most 64, fewer where a TCP chunk ends) marks IPv4 pending once; the resend runs in a
    // later turn, before the next batch: about one resend per batch, never one per refresh.
    expect(c.routeRefreshResends + c.routeRefreshesCoalesced).toBe(10_000);
    expect(c.routeRefreshResends).toBeLessThan((10_000 / 64) * 1.5);
    expect(c.routeRefreshResends).toBeGreaterThanOrEqual(1);
    await eventually(
      () => peer.received.filter((m) => m.type === 'UPDATE').length === c.routeRefreshResends,
      'every resend arrived',
    );
    expect(session.isEstablished).toBe(true);
  });
});

describe('a peer that never reads (RFC 9687)', () => {
  it('output stays bounded, and the send hold timer closes the session with NOTIFICATION 8', async () => {
    const clock = new FakeClock();
    const highWater = 256 * 1024;
    const { session, peer } = await sessionWithRawPeer({
      families: ['ipv6'],
      clock,
      sendHoldTime: 30,
      outputHighWater: highWater,
    });
    const routes = v6Routes(4000); // ~100 KB of UPDATEs per resend
    session.set(routes);
    await establish(session, peer);
    await takeInitialTable(peer, 1);
    const sent: { code: number; subcode: number }[] = [];
    session.on(
      'notification',
      (n: { direction: string; code: number; subcode: number }) => n.direction === 'sent' && sent.push(n),
    );
    peer.socket.pause(); // stop reading: the kernel buffers fill, then write() says false
    let maxPending = 0;
    const sample = setInterval(() => (maxPending = Math.max(maxPending, session.outputPending)), 1);
    cleanups.push(() => clearInterval(sample));
    const before = session.counters.routeRefreshesReceived;
    for (let i = 0; i < 20; i++) peer.sendRaw(repeat(refresh(2, 1), 1000));
    await eventually(
      () => session.counters.routeRefreshesReceived - before === 20_000,
      '20,000 refreshes read',
      30_000,
    );
    await eventually(() => session.outputPending > highWater / 2, 'output backs up', 30_000);
    maxPending = Math.max(maxPending, session.outputPending);
    // Bounded: the high-water mark plus at most one resend batch, however many refreshes came.
    expect(maxPending).toBeLessThan(highWater + 200 * 1024);
    expect(session.counters.routeRefreshResends).toBeLessThan(400);
    expect(session.isEstablished).toBe(true);
    clock.advance(29_000);
    expect(session.isEstablished).toBe(true);
    clock.advance(1_000);
    await eventually(() => session.state === 'Idle', 'closed by the send hold timer');
    expect(session.counters.sendHoldTimerExpired).toBe(1);
    expect(sent.map((n) => [n.code, n.subcode])).toEqual([[8, 0]]); // RFC 9687: Send Hold Timer Expired
    expect(session.outputPending).toBe(0); // freed
  });

  it('a peer that reads again in time keeps its session', async () => {
    const clock = new FakeClock();
    const { session, peer } = await sessionWithRawPeer({
      families: ['ipv6'],
      clock,
      sendHoldTime: 30,
      outputHighWater: 64 * 1024,
    });
    session.set(v6Routes(4000));
    await establish(session, peer);
    await takeInitialTable(peer, 1);
    peer.socket.pause();
    for (let i = 0; i < 5; i++) peer.sendRaw(repeat(refresh(2, 1), 1000));
    await eventually(() => session.outputPending > 32 * 1024, 'output backs up', 30_000);
    clock.advance(20_000);
    peer.socket.resume();
    await eventually(() => session.outputPending === 0, 'output drained', 30_000);
    clock.advance(20_000);
    expect(session.isEstablished).toBe(true);
    expect(session.counters.sendHoldTimerExpired).toBe(0);
  });
});

describe('errors from the peer', () => {
  it('AS_CONFED segments from an eBGP peer: treat-as-withdraw, the session stays up', async () => {
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'] });
    await establish(session, peer);
    const u = (segments: { type: 'AS_CONFED_SEQUENCE' | 'AS_SEQUENCE'; asns: number[] }[]): Update => ({
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments },
        { type: 'NEXT_HOP', nextHop: 0xc6336402n },
      ],
      nlri: [{ family: 'ipv4', prefix: parseIp('203.0.113.0')!.value, length: 24 }],
    });
    peer.send(u([{ type: 'AS_SEQUENCE', asns: [64513] }]));
    await eventually(() => session.counters.prefixesReceived === 1, 'route in');
    peer.send(
      u([
        { type: 'AS_CONFED_SEQUENCE', asns: [65010] },
        { type: 'AS_SEQUENCE', asns: [64513] },
      ]),
    );
    await eventually(() => session.counters.treatAsWithdraw === 1, 'treat-as-withdraw');
    expect(session.counters.prefixesReceived).toBe(0);
    expect(session.isEstablished).toBe(true);
  });

  it('AS_CONFED segments from an iBGP peer are accepted', async () => {
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'], peerAsn: 64512 });
    await establish(session, peer, { asn: 64512 });
    peer.send({
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_CONFED_SEQUENCE', asns: [65010] }] },
        { type: 'NEXT_HOP', nextHop: 0xc6336402n },
        { type: 'LOCAL_PREF', localPref: 100 },
      ],
      nlri: [{ family: 'ipv4', prefix: parseIp('203.0.113.0')!.value, length: 24 }],
    });
    await eventually(() => session.counters.prefixesReceived === 1, 'route in');
    expect(session.counters.treatAsWithdraw).toBe(0);
  });

  it('10,000 malformed UPDATEs: all counted (metrics), a few log lines', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write: (c: Buffer, _e, done) => (lines.push(...c.toString().split('\n').filter(Boolean)), done()),
    });
    const metrics = new BgpMetrics();
    const { session, peer } = await sessionWithRawPeer({
      families: ['ipv4'],
      logger: createLogger({ level: 'warn' }, stream),
      metrics,
      name: 'router-a',
    });
    await establish(session, peer);
    // ORIGIN value 7: treat-as-withdraw (RFC 7606 §7.1).
    const bad: Update = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64513] }] },
        { type: 'NEXT_HOP', nextHop: 0xc6336402n },
      ],
      nlri: [{ family: 'ipv4', prefix: parseIp('203.0.113.0')!.value, length: 24 }],
    };
    const bytes = encodeMessage(bad, CTX);
    const originAt = bytes.indexOf(0x40, 23); // ORIGIN flags, type 1, length 1, value
    expect([bytes[originAt + 1], bytes[originAt + 2]]).toEqual([1, 1]);
    bytes[originAt + 3] = 7;
    peer.sendRaw(repeat(bytes, 10_000));
    await eventually(() => session.counters.treatAsWithdraw === 10_000, '10,000 UPDATEs handled', 30_000);
    await new Promise((r) => setImmediate(r));
    const warnings = lines.filter((l) => l.includes('treat-as-withdraw'));
    expect(warnings.length).toBeLessThanOrEqual(6);
    expect(warnings.length).toBeGreaterThanOrEqual(5);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ferrolb_bgp_received_errors_total{peer="router-a",reason="treat-as-withdraw"} 10000');
    expect(text).toContain('ferrolb_bgp_log_lines_suppressed_total{peer="router-a",reason="treat-as-withdraw"} 9995');
    expect(session.isEstablished).toBe(true);
  });

  it('counts ignored refreshes as received errors', async () => {
    const metrics = new BgpMetrics();
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'], metrics, name: 'router-b' });
    await establish(session, peer);
    peer.sendRaw(repeat(refresh(999, 77), 3));
    await eventually(() => session.counters.routeRefreshesIgnored === 3, 'ignored');
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'ferrolb_bgp_received_errors_total{peer="router-b",reason="route-refresh-family-not-negotiated"} 3',
    );
    expect(text).toContain(
      'ferrolb_bgp_route_refresh_received_total{peer="router-b",result="ignored-family-not-negotiated"} 3',
    );
  });
});
