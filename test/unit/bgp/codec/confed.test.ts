// AS_CONFED_SEQUENCE / AS_CONFED_SET segments in AS_PATH: an error from an external peer (RFC 5065 §5.3),
// handled with treat-as-withdraw (RFC 7606 §7.2); accepted from an internal peer, and by default.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, updateRoutes } from '../../../../src/bgp/codec/index.ts';
import type { AsPathSegment, CodecContext, Update } from '../../../../src/bgp/codec/index.ts';
import { pfx } from './fixtures.ts';

function updateWith(segments: AsPathSegment[], ctx: CodecContext): Uint8Array {
  const u: Update = {
    type: 'UPDATE',
    withdrawn: [],
    attributes: [
      { type: 'ORIGIN', origin: 'IGP' },
      { type: 'AS_PATH', segments },
      { type: 'NEXT_HOP', nextHop: 0xc6336402n },
    ],
    nlri: [pfx('203.0.113.0/24')],
  };
  return encodeMessage(u, ctx);
}

const CONFED: AsPathSegment[][] = [
  [
    { type: 'AS_CONFED_SEQUENCE', asns: [65010] },
    { type: 'AS_SEQUENCE', asns: [64512] },
  ],
  [
    { type: 'AS_CONFED_SET', asns: [65010, 65011] },
    { type: 'AS_SEQUENCE', asns: [64512] },
  ],
];

describe('AS_CONFED segments (RFC 5065 §5.3, RFC 7606 §7.2)', () => {
  for (const fourOctetAs of [true, false]) {
    for (const segments of CONFED) {
      it(`${segments[0]?.type} from an external ${fourOctetAs ? '4' : '2'}-octet peer: treat-as-withdraw 3/11`, () => {
        const bytes = updateWith(segments, { fourOctetAs });
        const u = decodeMessage(bytes, 0, { fourOctetAs, externalPeer: true }).value as Update;
        expect(u.treatAsWithdraw).toBe(true);
        expect(u.errors?.map((e) => [e.code, e.subcode, e.handling])).toEqual([[3, 11, 'treat-as-withdraw']]);
        expect(u.errors?.[0]?.message).toMatch(/AS_CONFED_SE(QUENCE|T) segment from an external peer/);
        const routes = updateRoutes(u);
        expect(routes.announced).toEqual([]);
        expect(routes.withdrawn).toEqual([pfx('203.0.113.0/24')]);
      });

      it(`${segments[0]?.type} from an internal ${fourOctetAs ? '4' : '2'}-octet peer is accepted`, () => {
        const bytes = updateWith(segments, { fourOctetAs });
        for (const ctx of [{ fourOctetAs }, { fourOctetAs, externalPeer: false }]) {
          const u = decodeMessage(bytes, 0, ctx).value as Update;
          expect(u.treatAsWithdraw).toBeUndefined();
          expect(u.attributes.find((a) => a.type === 'AS_PATH')).toEqual({ type: 'AS_PATH', segments });
        }
      });
    }
  }

  it('a plain AS_SEQUENCE from an external peer is accepted', () => {
    const bytes = updateWith([{ type: 'AS_SEQUENCE', asns: [64512, 64496] }], { fourOctetAs: true });
    const u = decodeMessage(bytes, 0, { fourOctetAs: true, externalPeer: true }).value as Update;
    expect(u.treatAsWithdraw).toBeUndefined();
    expect(updateRoutes(u).announced).toEqual([pfx('203.0.113.0/24')]);
  });
});
