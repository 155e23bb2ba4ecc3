// FerroLB routes → packed UPDATE messages for one peer. Routes that carry the same path attributes
// (next hop, LOCAL_PREF, MED, communities) share one codec attribute list, so the codec's packUpdates
// groups them by that list's identity instead of serialising every route's attributes to find its group.
// Sorted tables hold long runs of such routes (one BGPAdvertisement → one attribute set), so comparing
// with the previous route's attributes finds nearly every match.
import type { CodecContext, WireRoute } from '../codec/model.ts';
import { packUpdates } from '../codec/index.ts';
import type { Ip } from '../../net/ip.ts';
import type { Prefix, Route } from '../routes.ts';
import { sameAttributes } from '../routes.ts';
import type { PeerKind } from './wire.ts';
import { toCodecRoute } from './wire.ts';

/** Codec routes for `routes` (next hops already resolved), attribute lists shared between equal routes. */
export function toCodecRoutes(
  routes: readonly Route[],
  kind: PeerKind,
  parse: (text: string) => Ip | undefined,
): WireRoute[] {
  const out: WireRoute[] = [];
  let prev: Route | undefined;
  let prevCodec: WireRoute | undefined;
  for (const r of routes) {
    if (
      prev !== undefined &&
      prevCodec !== undefined &&
      prev.prefix.family === r.prefix.family &&
      sameAttributes(prev, r)
    ) {
      const shared: WireRoute = { prefix: r.prefix, nextHop: prevCodec.nextHop, attributes: prevCodec.attributes };
      if (prevCodec.linkLocalNextHop !== undefined) shared.linkLocalNextHop = prevCodec.linkLocalNextHop;
      out.push(shared);
      continue;
    }
    const nh = parse(r.nextHop as string)?.value ?? 0n;
    const ll = r.nextHopLinkLocal !== undefined ? parse(r.nextHopLinkLocal)?.value : undefined;
    prevCodec = toCodecRoute(r, nh, ll, kind);
    prev = r;
    out.push(prevCodec);
  }
  return out;
}

/** UPDATE messages announcing `announce` and withdrawing `withdraw`; throws what packUpdates throws. */
export function encodeRoutes(
  announce: readonly Route[],
  withdraw: readonly Prefix[],
  kind: PeerKind,
  ctx: CodecContext,
  parse: (text: string) => Ip | undefined,
): Uint8Array[] {
  return packUpdates(toCodecRoutes(announce, kind, parse), withdraw, ctx);
}

/** UPDATE messages as one buffer, and how many. */
export interface EncodedBatch {
  bytes: Uint8Array;
  updates: number;
}

/** encodeRoutes() as one buffer (one socket write), or the error when a route cannot be encoded. */
export function encodeBatch(
  announce: readonly Route[],
  withdraw: readonly Prefix[],
  kind: PeerKind,
  ctx: CodecContext,
  parse: (text: string) => Ip | undefined,
): EncodedBatch | Error {
  try {
    const packets = encodeRoutes(announce, withdraw, kind, ctx, parse);
    return { bytes: concatBytes(packets), updates: packets.length };
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The parts one after the other (a single part is returned as it is). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
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
