// Writing routes to an Established peer through the connection's output queue (output-queue.ts), each
// batch as one buffer so it leaves in as few TCP segments as the kernel can: the prepared initial table
// followed by End-of-RIB per negotiated family (RFC 4724), the UPDATEs for one Adj-RIB-Out change, or a
// route refresh's resend of one family (between BoRR and EoRR with Enhanced Route Refresh, RFC 7313).
import type { Family } from '../../net/family.ts';
import { encodeMessage, endOfRib } from '../codec/index.ts';
import type { CodecContext } from '../codec/model.ts';
import type { EncodedBatch } from './encode-routes.ts';
import { concatBytes } from './encode-routes.ts';
import type { InitialTable } from './initial-table.ts';
import type { OutputQueue } from './output-queue.ts';
import { SUBTYPE_BORR, SUBTYPE_EORR } from './route-refresh.ts';
import { FAMILY_AFI, SAFI_UNICAST } from './wire.ts';

/** Queues the table's UPDATEs and then End-of-RIB for each of `families`. */
export function writeInitialTable(
  out: OutputQueue,
  table: InitialTable,
  families: readonly Family[],
  ctx: CodecContext,
): void {
  out.push(table.bytes);
  out.push(concatBytes(families.map((f) => encodeMessage(endOfRib(f), ctx))));
}

/**
 * Queues a route refresh resend of `family`: the (cached) UPDATEs, framed by BoRR and EoRR when the peer
 * supports Enhanced Route Refresh (RFC 7313 §4).
 */
export function writeRefresh(
  out: OutputQueue,
  family: Family,
  batch: EncodedBatch,
  enhanced: boolean,
  ctx: CodecContext,
): void {
  const afi = FAMILY_AFI[family];
  if (enhanced) out.push(encodeMessage({ type: 'ROUTE-REFRESH', afi, safi: SAFI_UNICAST, subtype: SUBTYPE_BORR }, ctx));
  out.push(batch.bytes);
  if (enhanced) out.push(encodeMessage({ type: 'ROUTE-REFRESH', afi, safi: SAFI_UNICAST, subtype: SUBTYPE_EORR }, ctx));
}
