// The two ends the session tests peer over loopback: A (AS 64512, router ID 192.0.2.1) connects to the
// peer's port; B (AS 64513, router ID 192.0.2.2) only listens. `over` adds or replaces options.
import type { SessionOptions } from '../../../../src/bgp/session/session.ts';

export function activeEnd(port: number, over: Partial<SessionOptions> = {}): SessionOptions {
  return { peerAddress: '127.0.0.1', peerPort: port, localAsn: 64512, peerAsn: 64513, routerId: '192.0.2.1', ...over };
}

export function passiveEnd(over: Partial<SessionOptions> = {}): SessionOptions {
  return { peerAddress: '127.0.0.1', localAsn: 64513, peerAsn: 64512, routerId: '192.0.2.2', passive: true, ...over };
}
