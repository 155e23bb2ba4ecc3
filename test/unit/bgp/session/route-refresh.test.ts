// Which ROUTE-REFRESH asks for what (RFC 2918 §4, RFC 7313 §5).
import { describe, expect, it } from 'vitest';
import type { Negotiated } from '../../../../src/bgp/fsm/index.ts';
import { refreshAction } from '../../../../src/bgp/session/route-refresh.ts';

const both: Negotiated = {
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
const v4only: Negotiated = { ...both, families: [{ afi: 1, safi: 1 }] };
const rr = (afi: number, safi: number, subtype = 0) => ({ type: 'ROUTE-REFRESH' as const, afi, safi, subtype });

describe('refreshAction', () => {
  it('resends only the requested negotiated family', () => {
    expect(refreshAction(rr(1, 1), both)).toEqual({ kind: 'resend', family: 'ipv4' });
    expect(refreshAction(rr(2, 1), both)).toEqual({ kind: 'resend', family: 'ipv6' });
    expect(refreshAction({ ...rr(2, 1), orf: new Uint8Array([1, 2]) }, both)).toEqual({
      kind: 'resend',
      family: 'ipv6',
    });
  });

  it('ignores a family that was not negotiated, and unknown AFI/SAFI', () => {
    expect(refreshAction(rr(2, 1), v4only)).toEqual({ kind: 'ignore', reason: 'family-not-negotiated' });
    expect(refreshAction(rr(999, 77), both)).toEqual({ kind: 'ignore', reason: 'family-not-negotiated' });
    expect(refreshAction(rr(1, 2), both)).toEqual({ kind: 'ignore', reason: 'family-not-negotiated' });
  });

  it('BoRR/EoRR of a negotiated family; reserved subtypes ignored', () => {
    expect(refreshAction(rr(1, 1, 1), both)).toEqual({ kind: 'borr', family: 'ipv4' });
    expect(refreshAction(rr(2, 1, 2), both)).toEqual({ kind: 'eorr', family: 'ipv6' });
    expect(refreshAction(rr(1, 1, 3), both)).toEqual({ kind: 'ignore', reason: 'reserved-subtype' });
    expect(refreshAction(rr(1, 1, 255), both)).toEqual({ kind: 'ignore', reason: 'reserved-subtype' });
  });
});
