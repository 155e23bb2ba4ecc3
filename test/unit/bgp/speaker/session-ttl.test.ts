import { describe, expect, it } from 'vitest';
import { sessionTtl } from '../../../../src/bgp/speaker/speaker.ts';

describe('sessionTtl', () => {
  it.each([
    [{ myASN: 64500, peerASN: 64501, ebgpMultiHop: false }, { ttl: 1 }],
    [{ myASN: 64500, peerASN: 64501, ebgpMultiHop: true }, { ttl: 255 }],
    [{ myASN: 64500, peerASN: 64500, ebgpMultiHop: false }, {}],
  ])('%j → %j', (peer, want) => {
    expect(sessionTtl(peer)).toEqual(want);
  });

  it.each([
    [
      { myASN: 64500, peerASN: 64501, ebgpMultiHop: false },
      { ttl: 255, minTtl: 254 },
    ],
    [{ myASN: 64500, peerASN: 64501, ebgpMultiHop: true }, { ttl: 255 }],
    [{ myASN: 64500, peerASN: 64500, ebgpMultiHop: false }, {}],
  ])('with GTSM: %j → %j', (peer, want) => {
    expect(sessionTtl(peer, true)).toEqual(want);
  });
});
