// Writing routes to an Established peer's socket, corked so a batch of UPDATEs leaves in as few TCP
// segments as the kernel can: the prepared initial table followed by End-of-RIB per negotiated family
// (RFC 4724), or the UPDATEs for one Adj-RIB-Out change (or a route refresh's resend).
import type net from 'node:net';
import type { Family } from '../../net/family.ts';
import type { Ip } from '../../net/ip.ts';
import { encodeMessage, endOfRib } from '../codec/index.ts';
import type { CodecContext } from '../codec/model.ts';
import type { Prefix, Route } from '../routes.ts';
import { encodeRoutes } from './encode-routes.ts';
import type { InitialTable } from './initial-table.ts';
import type { PeerKind } from './wire.ts';

/** Writes the table's UPDATEs and then End-of-RIB for each of `families`, in one corked write. */
export function writeInitialTable(socket: net.Socket, table: InitialTable, families: readonly Family[], ctx: CodecContext): void {
  socket.cork();
  if (table.bytes.length > 0) socket.write(table.bytes);
  for (const f of families) socket.write(encodeMessage(endOfRib(f), ctx));
  socket.uncork();
}

/**
 * Packs and writes UPDATEs announcing `announce` and withdrawing `withdraw`. Returns how many UPDATEs
 * were written, or the error when a route cannot be encoded (then nothing is written).
 */
export function writeRoutes(
  socket: net.Socket,
  announce: readonly Route[],
  withdraw: readonly Prefix[],
  kind: PeerKind,
  ctx: CodecContext,
  parse: (text: string) => Ip | undefined,
): number | Error {
  let packets: Uint8Array[];
  try {
    packets = encodeRoutes(announce, withdraw, kind, ctx, parse);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  socket.cork();
  for (const packet of packets) socket.write(packet);
  socket.uncork();
  return packets.length;
}
