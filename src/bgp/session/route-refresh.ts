// What a received ROUTE-REFRESH asks of us (pure). RFC 2918 §4: resend Adj-RIB-Out of the requested
// AFI/SAFI only; a request for a family that was not negotiated (including an AFI/SAFI we do not know)
// is ignored. RFC 7313 §5: subtype 0 is a request; BoRR (1) and EoRR (2) mark the start and end of the
// peer's own re-advertisement to us; any other subtype is ignored. A request with ORF entries (RFC 5291)
// is treated as a plain request: no ORF capability is negotiated, so the entries do not apply. We always
// advertise both capabilities, which is what allows the peer to send these messages (RFC 2918 §3), so
// the peer's own capabilities do not matter here; they decide only whether we send BoRR/EoRR.
import type { Family } from '../../net/family.ts';
import type { RouteRefresh } from '../codec/model.ts';
import type { Negotiated } from '../fsm/index.ts';
import { familyOfAfi } from './wire.ts';

export const SUBTYPE_REQUEST = 0;
export const SUBTYPE_BORR = 1;
export const SUBTYPE_EORR = 2;

export type RefreshAction =
  | { kind: 'resend'; family: Family }
  | { kind: 'borr' | 'eorr'; family: Family }
  | { kind: 'ignore'; reason: 'family-not-negotiated' | 'reserved-subtype' };

export function refreshAction(msg: RouteRefresh, n: Negotiated): RefreshAction {
  const family = familyOfAfi(msg.afi);
  const negotiated = family !== undefined && n.families.some((f) => f.afi === msg.afi && f.safi === msg.safi);
  if (msg.subtype > SUBTYPE_EORR) return { kind: 'ignore', reason: 'reserved-subtype' };
  if (!negotiated || family === undefined) return { kind: 'ignore', reason: 'family-not-negotiated' };
  if (msg.subtype === SUBTYPE_REQUEST) return { kind: 'resend', family };
  return { kind: msg.subtype === SUBTYPE_BORR ? 'borr' : 'eorr', family };
}
