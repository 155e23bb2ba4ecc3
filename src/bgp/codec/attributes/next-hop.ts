// NEXT_HOP (type 3, well-known, RFC 4271 §5.1.3): an IPv4 address. RFC 7606 §7.3: wrong length or a
// syntactically invalid address (RFC 4271 §6.3: not a valid unicast IP host address) → treat-as-withdraw.
// Rejected here: 0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0/3 (multicast, reserved, broadcast). Whether the
// next hop is on a shared subnet or equals the receiver is for the session to judge.
import { UpdateSubcode } from '../../errors.ts';
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, Malformed, WELL_KNOWN } from './spec.ts';
import { u32Value } from './u32-value.ts';

export function invalidIpv4NextHop(a: number): string | undefined {
  const first = a >>> 24;
  if (first === 0) return 'is in 0.0.0.0/8';
  if (first === 127) return 'is a loopback address';
  if (first >= 224) return 'is multicast, reserved or broadcast';
  return undefined;
}

export const nextHopAttribute: AttributeSpec<'NEXT_HOP'> = {
  type: 'NEXT_HOP',
  code: AttributeCode.NEXT_HOP,
  flags: WELL_KNOWN,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: u32Value(
    'NEXT_HOP',
    (a) => {
      const bad = invalidIpv4NextHop(a);
      if (bad) return new Malformed(UpdateSubcode.InvalidNextHopAttribute, 'treat-as-withdraw', `next hop ${bad}`);
      return { type: 'NEXT_HOP', nextHop: BigInt(a) };
    },
    (v) => Number(v.nextHop),
  ),
};
