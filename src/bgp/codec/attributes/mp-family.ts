// AFI/SAFI pairs whose NLRI this codec interprets (RFC 4760 §5 prefix encoding): IPv4 and IPv6, unicast
// and multicast.
import type { Family } from '../../../net/family.ts';
import { Afi, Safi } from '../constants.ts';

export function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== Safi.Unicast && safi !== Safi.Multicast) return undefined;
  if (afi === Afi.IPv4) return 'ipv4';
  if (afi === Afi.IPv6) return 'ipv6';
  return undefined;
}

export function afiOf(family: Family): number {
  return family === 'ipv4' ? Afi.IPv4 : Afi.IPv6;
}
