// Writing routes to an Established peer through the connection's output queue (output-queue.ts), each
// batch as one buffer so it leaves in as few TCP segments as the kernel can: the prepared initial table
// followed by End-of-RIB per negotiated family (RFC 4724), the UPDATEs for one Adj-RIB-Out change, or a
// route refresh's resend of one family (between BoRR and EoRR with Enhanced Route Refresh, RFC 7313).
import type { Family } from '../../config/model.ts';
import type { Ip } from '../../net/ip.ts';
import { encodeMessage, endOfRib } from '../codec/index.ts';
import type { CodecContext } from '../codec/model.ts';
import type { Prefix, Route } from '../routes.ts';
import { encodeRoutes } from './encode-routes.ts';
import type { InitialTable } from './initial-table.ts';
import type { OutputQueue } from './output-queue.ts';
import { SUBTYPE_BORR, SUBTYPE_EORR } from './route-refresh.ts';
import type { PeerKind } from './wire.ts';
import { FAMILY_AFI, SAFI_UNICAST } from './wire.ts';

/** UPDATE messages as one buffer, and how many. */
export interface EncodedBatch {
  bytes: Uint8Array;
  updates: number;
}

/** Queues the table's UPDATEs and then End-of-RIB for each of `families`. */
export function writeInitialTable(out: OutputQueue, table: InitialTable, families: readonly Family[], ctx: CodecContext): void {
  out.push(table.bytes);
  out.push(concat(families.map((f) => encodeMessage(endOfRib(f), ctx))));
}

/**
 * Packs UPDATEs announcing `announce` and withdrawing `withdraw` into one buffer, or returns the error
 * when a route cannot be encoded.
 */
export function encodeBatch(
  announce: readonly Route[],
  withdraw: readonly Prefix[],
  kind: PeerKind,
  ctx: CodecContext,
  parse: (text: string) => Ip | undefined,
): EncodedBatch | Error {
  try {
    const packets = encodeRoutes(announce, withdraw, kind, ctx, parse);
    return { bytes: concat(packets), updates: packets.length };
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Queues a route refresh resend of `family`: the (cached) UPDATEs, framed by BoRR and EoRR when the peer
 * supports Enhanced Route Refresh (RFC 7313 §4).
 */
export function writeRefresh(out: OutputQueue, family: Family, batch: EncodedBatch, enhanced: boolean, ctx: CodecContext): void {
  const afi = FAMILY_AFI[family];
  if (enhanced) out.push(encodeMessage({ type: 'ROUTE-REFRESH', afi, safi: SAFI_UNICAST, subtype: SUBTYPE_BORR }, ctx));
  out.push(batch.bytes);
  if (enhanced) out.push(encodeMessage({ type: 'ROUTE-REFRESH', afi, safi: SAFI_UNICAST, subtype: SUBTYPE_EORR }, ctx));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
