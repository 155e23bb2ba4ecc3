// End-of-RIB marker (RFC 4724 §2): for IPv4 unicast an UPDATE with no withdrawn routes, no attributes and
// no NLRI; for other AFI/SAFI an UPDATE holding only an MP_UNREACH_NLRI of that AFI/SAFI with no routes.
import type { Family } from '../../net/family.ts';
import { Safi } from './constants.ts';
import type { Update } from './model.ts';

export function endOfRib(family: Family): Update {
  if (family === 'ipv4') return { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] };
  return {
    type: 'UPDATE',
    withdrawn: [],
    attributes: [{ type: 'MP_UNREACH_NLRI', family, safi: Safi.Unicast, withdrawn: [] }],
    nlri: [],
  };
}

/** The unicast family whose End-of-RIB this update is, or undefined. */
export function endOfRibFamily(u: Update): Family | undefined {
  if (u.withdrawn.length > 0 || u.nlri.length > 0) return undefined;
  if (u.attributes.length === 0) return 'ipv4';
  if (u.attributes.length !== 1) return undefined;
  const a = u.attributes[0];
  if (a?.type === 'MP_UNREACH_NLRI' && a.safi === Safi.Unicast && a.withdrawn.length === 0) return a.family;
  return undefined;
}
