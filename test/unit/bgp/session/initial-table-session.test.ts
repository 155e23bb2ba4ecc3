// The initial table over a real loopback socket: prepared before Established and sent in one go when the
// negotiation is the expected one; prepared again when the peer negotiates otherwise (fewer families,
// no 4-octet AS); after a session flap the table sent is the current desired state, not an old one.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/log/index.ts';
import { decodeMessage, frameLength, updateRoutes } from '../../../../src/bgp/codec/index.ts';
import type { BgpMessage, Update } from '../../../../src/bgp/codec/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import type { SessionOptions } from '../../../../src/bgp/session/session.ts';
import { BgpSession } from '../../../../src/bgp/session/session.ts';
import { activeEnd } from './ends.ts';
import { eventually, peerOpen, rawServer } from './raw-peer.ts';
import type { RawPeer } from './raw-peer.ts';
import { hostRoute as route } from './host-route.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const V4 = Array.from({ length: 300 }, (_, i) => route(`203.0.113.${i % 256}`)).slice(0, 256);
const V6 = Array.from({ length: 500 }, (_, i) => route(`2001:db8:100::${(i + 1).toString(16)}`));

/** A session whose debug log events are collected. */
async function start(over: Partial<SessionOptions>) {
  const server = await rawServer();
  const events: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        events.push((JSON.parse(line) as { event?: string }).event ?? '');
      done();
    },
  });
  const session = new BgpSession(
    activeEnd(server.port, {
      // Loopback next hops would be refused by the peer's decoder: documentation addresses.
      nextHops: { ipv4: '198.51.100.1', ipv6: '2001:db8::1' },
      // ConnectRetry is also how long a TCP connect may take (RFC 4271 §8.2.2 Connect): 15-25 ms (what this
      // was) is shorter than a busy machine may leave the process unscheduled, and the session then rightly
      // drops the connection the raw peer accepted. 0.75-1.25 s: still a quick reconnect after a flap.
      connectRetry: { minSeconds: 1, maxSeconds: 1 },
      logger: createLogger({ level: 'debug' }, sink),
      ...over,
    }),
  );
  cleanups.push(async () => {
    await session.stop();
    await server.close();
  });
  return { session, server, events };
}

/** Raw bytes from the session, decoded with `fourOctetAs` (RawPeer decodes as 4-octet). */
function rawMessages(peer: RawPeer, fourOctetAs: boolean): BgpMessage[] {
  const out: BgpMessage[] = [];
  let buf = Buffer.alloc(0);
  peer.socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const len = frameLength(buf, 0);
      if (len === undefined || buf.length < len) break;
      out.push(decodeMessage(buf.subarray(0, len), 0, { fourOctetAs }).value);
      buf = buf.subarray(len);
    }
  });
  return out;
}

function announced(updates: Update[]): string[] {
  return updates.flatMap((u) => updateRoutes(u).announced.map(formatPrefix)).sort();
}

const isEor = (u: Update): boolean =>
  u.withdrawn.length === 0 &&
  u.nlri.length === 0 &&
  (u.attributes.length === 0 || (u.attributes.length === 1 && u.attributes[0]!.type === 'MP_UNREACH_NLRI'));

async function establish(peer: RawPeer, open = peerOpen()): Promise<void> {
  await peer.next('OPEN');
  peer.send(open);
  peer.send({ type: 'KEEPALIVE' });
  await peer.next('KEEPALIVE');
}

describe('initial table', () => {
  it('prepared before Established when the negotiation is the expected one: table and End-of-RIB per family', async () => {
    const { session, server, events } = await start({});
    session.set([...V4, ...V6]);
    session.start();
    const peer = await server.accept();
    await establish(peer);
    await eventually(() => peer.received.filter((m) => m.type === 'UPDATE' && isEor(m)).length === 2, 'two End-of-RIB');
    const ups = peer.received.filter((m): m is Update => m.type === 'UPDATE');
    const eorAt = ups.findIndex(isEor);
    expect(ups.slice(eorAt).every(isEor)).toBe(true); // End-of-RIB after all routes
    expect(announced(ups)).toEqual([...V4, ...V6].map((r) => formatPrefix(r.prefix)).sort());
    expect(ups.length - 2).toBeLessThan(10); // many NLRI per UPDATE
    expect(session.counters.updatesSent).toBe(ups.length - 2);
    expect(session.counters.prefixesAdvertised).toBe(V4.length + V6.length);
    expect(session.inSync).toBe(true);
    expect(events).toContain('initial-table-prepared');
    expect(events).not.toContain('initial-table-miss');
  });

  it('peer without IPv6: prepared again on the spot, IPv6 routes skipped, End-of-RIB for IPv4 only', async () => {
    const { session, server, events } = await start({});
    session.set([...V4, ...V6]);
    session.start();
    const peer = await server.accept();
    await establish(
      peer,
      peerOpen({
        capabilities: [
          { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
          { type: 'FOUR_OCTET_AS', asn: 64513 },
        ],
      }),
    );
    await eventually(() => peer.received.some((m) => m.type === 'UPDATE' && isEor(m)), 'End-of-RIB');
    await eventually(() => session.inSync, 'in sync');
    const ups = peer.received.filter((m): m is Update => m.type === 'UPDATE');
    expect(ups.filter(isEor)).toEqual([{ type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] }]);
    expect(announced(ups)).toEqual(V4.map((r) => formatPrefix(r.prefix)).sort());
    expect(session.counters.routesSkipped).toBe(V6.length);
    expect(events).toContain('initial-table-miss');
  });

  it('2-octet AS peer: AS_PATH in 2-octet form', async () => {
    const { session, server, events } = await start({ localAsn: 65001 });
    session.set(V4);
    session.start();
    const peer = await server.accept();
    const raw = rawMessages(peer, false);
    await peer.next('OPEN');
    peer.send(peerOpen({ capabilities: [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }] }));
    peer.send({ type: 'KEEPALIVE' });
    await eventually(() => raw.some((m) => m.type === 'UPDATE' && isEor(m)), 'End-of-RIB');
    const ups = raw.filter((m): m is Update => m.type === 'UPDATE' && !isEor(m));
    expect(ups.length).toBeGreaterThan(0);
    for (const u of ups) {
      expect(u.errors).toBeUndefined();
      expect(u.attributes.find((a) => a.type === 'AS_PATH')).toEqual({
        type: 'AS_PATH',
        segments: [{ type: 'AS_SEQUENCE', asns: [65001] }],
      });
    }
    expect(announced(ups)).toEqual(V4.map((r) => formatPrefix(r.prefix)).sort());
    expect(events).toContain('initial-table-miss');
  });

  it('after a flap: the same table again when nothing changed, the current desired state when it did', async () => {
    const { session, server } = await start({});
    const eors = (p: RawPeer): number => p.received.filter((m) => m.type === 'UPDATE' && isEor(m)).length;
    const table = (p: RawPeer): string[] => announced(p.received.filter((m): m is Update => m.type === 'UPDATE'));
    session.set(V6);
    session.start();
    const first = await server.accept();
    await establish(first);
    await eventually(() => eors(first) === 2, 'End-of-RIB');
    first.socket.destroy();
    // Nothing changed: the prepared table is sent again, and it still makes a complete Adj-RIB-Out.
    const second = await server.accept();
    await establish(second);
    await eventually(() => eors(second) === 2, 'End-of-RIB');
    expect(table(second)).toEqual(V6.map((r) => formatPrefix(r.prefix)).sort());
    expect(session.advertisedPrefixes()).toHaveLength(V6.length);
    // A change while Established is a diff against that Adj-RIB-Out: 100 withdrawals, nothing announced.
    const now = V6.slice(100);
    second.received.length = 0;
    session.set(now);
    await eventually(() => second.received.length > 0, 'diff sent');
    const diff = second.received.filter((m): m is Update => m.type === 'UPDATE');
    expect(announced(diff)).toEqual([]);
    expect(diff.flatMap((u) => updateRoutes(u).withdrawn)).toHaveLength(100);
    second.socket.destroy();
    const third = await server.accept();
    await establish(third);
    await eventually(() => eors(third) === 2, 'End-of-RIB');
    expect(table(third)).toEqual(now.map((r) => formatPrefix(r.prefix)).sort());
    expect(session.counters.prefixesAdvertised).toBe(now.length);
  });
});
