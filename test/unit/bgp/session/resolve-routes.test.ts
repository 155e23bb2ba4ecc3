import { describe, expect, it } from 'vitest';
import { resolveRoutes } from '../../../../src/bgp/session/resolve-routes.ts';
import { parseIp } from '../../../../src/net/ip.ts';
import { hostRoute as route } from './host-route.ts';

const both = new Set(['ipv4', 'ipv6'] as const);

describe('resolveRoutes', () => {
  it.each([
    {
      name: 'default next hop per family',
      routes: [route('203.0.113.1'), route('2001:db8:1::1')],
      defaults: { ipv4: '198.51.100.1', ipv6: '2001:db8::1' },
      want: ['198.51.100.1', '2001:db8::1'],
      skipped: 0,
    },
    {
      name: 'route next hop wins',
      routes: [route('203.0.113.1', { nextHop: '198.51.100.9' })],
      defaults: { ipv4: '198.51.100.1' },
      want: ['198.51.100.9'],
      skipped: 0,
    },
    {
      name: 'no next hop of the family: skipped',
      routes: [route('2001:db8:1::1')],
      defaults: { ipv4: '198.51.100.1' },
      want: [],
      skipped: 1,
    },
    {
      name: 'next hop of the wrong family: skipped',
      routes: [route('203.0.113.1', { nextHop: '2001:db8::1' })],
      defaults: {},
      want: [],
      skipped: 1,
    },
  ])('$name', ({ routes, defaults, want, skipped }) => {
    const r = resolveRoutes(routes, both, defaults, parseIp);
    expect(r.routes.map((x) => x.nextHop)).toEqual(want);
    expect(r.skipped).toBe(skipped);
  });

  it('skips families the peer did not negotiate and adds the link-local next hop to IPv6 routes', () => {
    const r = resolveRoutes(
      [route('203.0.113.1'), route('2001:db8:1::1')],
      new Set(['ipv6'] as const),
      { ipv4: '198.51.100.1', ipv6: '2001:db8::1', ipv6LinkLocal: 'fe80::1' },
      parseIp,
    );
    expect(r.routes).toHaveLength(1);
    expect(r.routes[0]).toMatchObject({ nextHop: '2001:db8::1', nextHopLinkLocal: 'fe80::1' });
    expect(r.skipped).toBe(1);
  });
});
