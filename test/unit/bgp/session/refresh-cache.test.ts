// A route refresh resend reuses the UPDATEs encoded for the current Adj-RIB-Out: a storm never
// re-encodes the table (the same buffer goes out again); a change of Adj-RIB-Out encodes anew.
import type net from 'node:net';
import { createLogger } from '../../../../src/log/index.ts';
import { describe, expect, it } from 'vitest';
import { decodeMessage, updateRoutes } from '../../../../src/bgp/codec/index.ts';
import type { Update } from '../../../../src/bgp/codec/index.ts';
import type { Negotiated } from '../../../../src/bgp/fsm/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import { newConn } from '../../../../src/bgp/session/connection.ts';
import type { OutputQueue } from '../../../../src/bgp/session/output-queue.ts';
import { RouteAdvertiser } from '../../../../src/bgp/session/route-advertiser.ts';
import { newCounters } from '../../../../src/bgp/session/session-types.ts';
import { hostRoute as route } from './host-route.ts';

const N: Negotiated = {
  holdTime: 90,
  keepaliveTime: 30,
  fourOctetAs: true,
  peerBgpId: 1,
  peerAsn: 64513,
  routeRefresh: true,
  families: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
};

function setup() {
  const pushed: Uint8Array[] = [];
  const conn = newConn('out');
  conn.fsm = { ...conn.fsm, name: 'Established' };
  conn.ctx = { fourOctetAs: true };
  conn.socket = { localAddress: '198.51.100.1', destroyed: false } as unknown as net.Socket;
  conn.out = { push: (b: Uint8Array) => void pushed.push(b), hasRoom: true } as unknown as OutputQueue;
  const rib = new RouteAdvertiser({
    peer: 'p',
    nextHops: { ipv4: '198.51.100.1', ipv6: '2001:db8::1' },
    sourceAddress: undefined,
    offered: ['ipv4', 'ipv6'],
    kind: { localAsn: 64512, ibgp: false },
    counters: newCounters(),
    log: createLogger({ level: 'silent' }),
    emit: () => {},
  });
  return { pushed, conn, rib };
}

function prefixesIn(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let off = 0; off < bytes.length;) {
    const { value, bytesRead } = decodeMessage(bytes, off, { fourOctetAs: true });
    out.push(...updateRoutes(value as Update).announced.map(formatPrefix));
    off += bytesRead;
  }
  return out.sort();
}

describe('route refresh resend cache', () => {
  it('resends one family from the same encoded buffer until Adj-RIB-Out changes', () => {
    const { pushed, conn, rib } = setup();
    rib.set([route('203.0.113.5'), route('203.0.113.6'), route('2001:db8::5')]);
    rib.sync(conn, N, true);
    pushed.length = 0;
    rib.resendFamily(conn, 'ipv4', false);
    rib.resendFamily(conn, 'ipv4', false);
    rib.resendFamily(conn, 'ipv6', false);
    expect(pushed.length).toBe(3);
    expect(pushed[1]).toBe(pushed[0]); // the very same bytes: not encoded again
    expect(prefixesIn(pushed[0]!)).toEqual(['203.0.113.5/32', '203.0.113.6/32']);
    expect(prefixesIn(pushed[2]!)).toEqual(['2001:db8::5/128']);

    rib.set([route('203.0.113.7')]);
    rib.sync(conn, N, false);
    pushed.length = 0;
    rib.resendFamily(conn, 'ipv4', false);
    expect(prefixesIn(pushed[0]!)).toEqual(['203.0.113.7/32']);
  });

  it('a diff waits while the output queue has no room, and merges later changes', () => {
    const { pushed, conn, rib } = setup();
    rib.set([route('203.0.113.5')]);
    rib.sync(conn, N, true);
    pushed.length = 0;
    (conn.out as unknown as { hasRoom: boolean }).hasRoom = false;
    rib.set([route('203.0.113.6')]);
    rib.sync(conn, N, false);
    rib.set([route('203.0.113.7')]);
    rib.sync(conn, N, false);
    expect(pushed).toEqual([]);
    expect(rib.deferred).toBe(true);
    (conn.out as unknown as { hasRoom: boolean }).hasRoom = true;
    rib.sync(conn, N, false);
    expect(rib.deferred).toBe(false);
    expect(pushed.length).toBe(1);
    expect(prefixesIn(pushed[0]!)).toEqual(['203.0.113.7/32']);
    expect(rib.advertisedPrefixes()).toEqual(['203.0.113.7/32']);
  });
});
