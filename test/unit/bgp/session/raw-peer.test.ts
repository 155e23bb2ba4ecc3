// A FerroLB session against a hand-driven peer on a real loopback socket: hold-timer expiry on a fake
// clock, connection collision (RFC 4271 §6.8), malformed UPDATEs (RFC 7606), ROUTE-REFRESH, bad OPENs,
// graceful restart (RFC 4724) capability and restart-mode stop.
import { afterEach, describe, expect, it } from 'vitest';
import type { Update } from '../../../../src/bgp/codec/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import { BgpListener } from '../../../../src/bgp/session/listener.ts';
import type { SessionOptions, StateChange } from '../../../../src/bgp/session/session.ts';
import { BgpSession } from '../../../../src/bgp/session/session.ts';
import { activeEnd } from './ends.ts';
import { establish, eventually, peerOpen, rawConnect, rawServer } from './raw-peer.ts';
import { hostRoute as route } from './host-route.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sessionWithRawPeer(over: Partial<SessionOptions> = {}) {
  const server = await rawServer();
  const session = new BgpSession(activeEnd(server.port, { nextHops: { ipv4: '198.51.100.1' }, ...over }));
  const states: StateChange[] = [];
  session.on('state', (c: StateChange) => states.push(c));
  cleanups.push(async () => {
    await session.stop();
    await server.close();
  });
  session.start();
  const peer = await server.accept();
  return { session, peer, server, states };
}

/** An UPDATE built by hand: header + body. */
function rawUpdate(withdrawn: number[], attrs: number[], nlri: number[], attrLenOverride?: number): Uint8Array {
  const body = [withdrawn.length >> 8, withdrawn.length & 255, ...withdrawn];
  const al = attrLenOverride ?? attrs.length;
  body.push(al >> 8, al & 255, ...attrs, ...nlri);
  const len = 19 + body.length;
  return new Uint8Array([...Array(16).fill(0xff), len >> 8, len & 255, 2, ...body]);
}

const ORIGIN = (v: number) => [0x40, 1, 1, v];
const AS_PATH_4 = (asn: number) => [
  0x40,
  2,
  6,
  2,
  1,
  (asn >>> 24) & 255,
  (asn >>> 16) & 255,
  (asn >>> 8) & 255,
  asn & 255,
];
const NEXT_HOP = [0x40, 3, 4, 198, 51, 100, 2];
const NLRI_203_0_113_0_24 = [24, 203, 0, 113];

describe('session against a raw peer', () => {
  it('tears a silent session down when the hold timer expires (fake clock)', async () => {
    const clock = new FakeClock();
    const { session, peer, states } = await sessionWithRawPeer({ clock, holdTime: 9 });
    await establish(session, peer, { holdTime: 9 });
    expect(session.negotiatedParameters).toMatchObject({ holdTime: 9, keepaliveTime: 3 });
    clock.advance(3000);
    await peer.next('KEEPALIVE'); // our keepalives keep flowing
    clock.advance(6000); // 9 s without a word from the peer
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([4, 0]);
    await peer.waitClosed();
    expect(session.state).toBe('Idle');
    expect(states.at(-1)).toMatchObject({ state: 'Idle', previous: 'Established', reason: 'hold timer expired' });
  });

  it('a connect completed during an event-loop stall longer than ConnectRetry is kept, not redialled', async () => {
    // A starved machine: the peer accepts while our process is not scheduled, and the ConnectRetry timer
    // falls due in the same event-loop turn as the completed connect. The connect must win.
    const server = await rawServer();
    const session = new BgpSession(
      activeEnd(server.port, { nextHops: { ipv4: '198.51.100.1' }, connectRetry: { minSeconds: 1, maxSeconds: 1 } }),
    );
    cleanups.push(async () => {
      await session.stop();
      await server.close();
    });
    session.start();
    const until = Date.now() + 1600; // longer than ConnectRetry's 1 s + 25 % jitter
    while (Date.now() < until) {
      /* the stall */
    }
    const peer = await server.accept();
    await establish(session, peer);
    expect(peer.closed).toBe(false);
    await expect(server.accept(300)).rejects.toThrow(/no connection/);
  });

  it('a KEEPALIVE from the peer restarts the hold timer', async () => {
    const clock = new FakeClock();
    const { session, peer } = await sessionWithRawPeer({ clock, holdTime: 9 });
    await establish(session, peer, { holdTime: 9 });
    clock.advance(8000);
    peer.send({ type: 'KEEPALIVE' });
    const count = session.counters.updatesReceived;
    // Use an UPDATE (End-of-RIB) as a marker that everything before it was processed.
    peer.send({ type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] });
    await eventually(() => session.counters.updatesReceived === count + 1, 'marker processed');
    clock.advance(8000);
    await new Promise((r) => setImmediate(r)); // an expiry is judged one event-loop turn later
    expect(session.isEstablished).toBe(true);
    clock.advance(1500);
    await eventually(() => !session.isEstablished, 'hold timer expired');
  });

  it('answers a peer OPEN with hold time 2 with NOTIFICATION 2/6', async () => {
    const { peer } = await sessionWithRawPeer();
    await peer.next('OPEN');
    peer.send(peerOpen({ holdTime: 2 }));
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([2, 6]);
  });

  it('answers a wrong peer AS with NOTIFICATION 2/2', async () => {
    const { peer, session } = await sessionWithRawPeer();
    await peer.next('OPEN');
    peer.send(peerOpen({ asn: 65001 }));
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([2, 2]);
    await eventually(() => session.state !== 'OpenSent', 'session leaves OpenSent');
  });

  it('advertises what set() asks, End-of-RIB after it, and resends on ROUTE-REFRESH', async () => {
    const { session, peer } = await sessionWithRawPeer({ families: ['ipv4'] });
    session.set([route('203.0.113.5'), route('203.0.113.6')]);
    await establish(session, peer);
    const first = await peer.next('UPDATE');
    expect(first.nlri.map(formatPrefix).sort()).toEqual(['203.0.113.5/32', '203.0.113.6/32']);
    const eor = await peer.next('UPDATE');
    expect(eor).toMatchObject({ withdrawn: [], attributes: [], nlri: [] });
    peer.send({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 });
    const again = await peer.next('UPDATE');
    expect(again.nlri.map(formatPrefix).sort()).toEqual(['203.0.113.5/32', '203.0.113.6/32']);
    expect(session.counters.routeRefreshesReceived).toBe(1);
  });

  it('treat-as-withdraw: keeps the session and counts (RFC 7606)', async () => {
    const { session, peer } = await sessionWithRawPeer();
    await establish(session, peer);
    const updates: Update[] = [];
    session.on('update', (u: Update) => updates.push(u));
    peer.sendRaw(rawUpdate([], [...ORIGIN(0), ...AS_PATH_4(64513), ...NEXT_HOP], NLRI_203_0_113_0_24));
    await eventually(() => session.counters.prefixesReceived === 1, 'valid route counted');
    peer.sendRaw(rawUpdate([], [...ORIGIN(7), ...AS_PATH_4(64513), ...NEXT_HOP], NLRI_203_0_113_0_24));
    await eventually(() => updates.length === 2, 'malformed UPDATE processed');
    expect(updates[1]?.treatAsWithdraw).toBe(true);
    expect(session.counters.treatAsWithdraw).toBe(1);
    expect(session.counters.prefixesReceived).toBe(0); // the malformed route withdrew the prefix
    expect(session.isEstablished).toBe(true);
    expect(peer.received.filter((m) => m.type === 'NOTIFICATION')).toEqual([]);
  });

  it('session-reset: a Total Attribute Length past the message end → NOTIFICATION 3/1 and close', async () => {
    const { session, peer, states } = await sessionWithRawPeer();
    await establish(session, peer);
    peer.sendRaw(rawUpdate([], [...ORIGIN(0)], [], 200));
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([3, 1]);
    await peer.waitClosed();
    expect(states.at(-1)?.state).toBe('Idle');
    expect(states.at(-1)?.reason).toMatch(/malformed message/);
  });

  it('a bad marker → NOTIFICATION 1/1', async () => {
    const { session, peer } = await sessionWithRawPeer();
    await establish(session, peer);
    const bad = rawUpdate([], [], []);
    bad[3] = 0;
    peer.sendRaw(bad);
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([1, 1]);
  });

  it('graceful restart: capability with restart time and R bit; restart stop sends no NOTIFICATION', async () => {
    const { session, peer } = await sessionWithRawPeer({ gracefulRestart: { restartTime: 120, restarting: true } });
    const open = await peer.next('OPEN');
    const gr = open.capabilities.find((c) => c.type === 'GRACEFUL_RESTART');
    expect(gr).toMatchObject({ type: 'GRACEFUL_RESTART', restartState: true, restartTime: 120, notification: false });
    peer.send(peerOpen());
    peer.send({ type: 'KEEPALIVE' });
    await eventually(() => session.isEstablished, 'Established');
    await session.stop({ restart: true });
    await peer.waitClosed();
    expect(peer.received.filter((m) => m.type === 'NOTIFICATION')).toEqual([]);
  });

  it('a clean stop sends Cease/Administrative Shutdown 6/2', async () => {
    const { session, peer } = await sessionWithRawPeer();
    await establish(session, peer);
    await session.stop();
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 2]);
  });
});

describe('connection collision (RFC 4271 §6.8)', () => {
  async function collide(_peerBgpId: number) {
    const server = await rawServer('127.0.0.1');
    const listener = new BgpListener({ port: 0, host: '127.0.0.2' });
    const session = new BgpSession(activeEnd(server.port, { sourceAddress: '127.0.0.2' }));
    const states: StateChange[] = [];
    session.on('state', (c: StateChange) => states.push(c));
    listener.add(session);
    const port = await listener.start();
    cleanups.push(async () => {
      await session.stop();
      await listener.close();
      await server.close();
    });
    session.start();
    const outgoing = await server.accept(); // our connection to the peer
    await outgoing.next('OPEN'); // session is in OpenSent on it
    const incoming = await rawConnect(port, '127.0.0.2', '127.0.0.1'); // the peer connects to us too
    await incoming.next('OPEN');
    return { session, outgoing, incoming, port, states };
  }

  it('peer has the higher BGP identifier: our connection is dumped with 6/7, theirs is kept', async () => {
    const { session, outgoing, incoming, states } = await collide(0xc0000209);
    incoming.send(peerOpen({ bgpId: 0xc0000209 }));
    const n = await outgoing.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 7]);
    await incoming.next('KEEPALIVE');
    incoming.send({ type: 'KEEPALIVE' });
    await eventually(() => session.isEstablished, 'Established on the incoming connection');
    expect(session.connectionDirection).toBe('in');
    // The session never looked down while switching connections.
    expect(states.map((c) => `${c.previous}->${c.state}`)).toEqual([
      'Idle->Connect',
      'Connect->OpenSent',
      'OpenSent->OpenConfirm',
      'OpenConfirm->Established',
    ]);
  });

  it('we have the higher BGP identifier: the incoming connection is dumped, ours is kept', async () => {
    const { session, outgoing, incoming, states } = await collide(0x0a000001);
    incoming.send(peerOpen({ bgpId: 0x0a000001 }));
    const n = await incoming.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 7]);
    outgoing.send(peerOpen({ bgpId: 0x0a000001 }));
    outgoing.send({ type: 'KEEPALIVE' });
    await eventually(() => session.isEstablished, 'Established on the outgoing connection');
    expect(session.connectionDirection).toBe('out');
    expect(states.map((c) => `${c.previous}->${c.state}`)).toEqual([
      'Idle->Connect',
      'Connect->OpenSent',
      'OpenSent->OpenConfirm',
      'OpenConfirm->Established',
    ]);
  });

  it('an incoming connection while Established is refused with 6/7', async () => {
    const { session, outgoing, incoming, port } = await collide(0x0a000001);
    incoming.socket.destroy();
    outgoing.send(peerOpen({ bgpId: 0x0a000001 }));
    outgoing.send({ type: 'KEEPALIVE' });
    await eventually(() => session.isEstablished, 'Established');
    const third = await rawConnect(port, '127.0.0.2', '127.0.0.1');
    const n = await third.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 7]);
    expect(session.isEstablished).toBe(true);
    expect(session.connectionDirection).toBe('out');
  });
});
