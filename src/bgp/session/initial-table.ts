// A session's initial table, prepared before Established (pure: no I/O, no clock). Everything the first
// UPDATEs depend on is known before the peer's KEEPALIVE arrives: the desired routes, the next-hop
// defaults (configured, or the local address once connected or given as source), the families and the
// 4-octet AS capability we offer. So the routes are resolved, keyed into the Adj-RIB-Out and packed into
// UPDATE messages ahead of time, in one buffer that is written with one socket write (End-of-RIB per
// negotiated family after it) when the session reaches Established. The table records the inputs it was
// made from, reduced to what the table depends on (a family no desired route has does not matter); at
// Established the session compares them with what was really negotiated and prepares again when they
// differ (a peer without a family that routes have, or without 4-octet AS support).
import type { Family } from '../../net/family.ts';
import type { Ip } from '../../net/ip.ts';
import type { CodecContext } from '../codec/model.ts';
import type { Route } from '../routes.ts';
import { toRib } from './adj-rib-out.ts';
import { encodeBatch } from './encode-routes.ts';
import type { NextHopDefaults } from './resolve-routes.ts';
import { resolveRoutes } from './resolve-routes.ts';
import type { PeerKind } from './wire.ts';

export interface TableInputs {
  /** The desired routes (compared by identity: set() replaces the array). */
  desired: readonly Route[];
  /** Negotiated families that desired routes have, IPv4 first. */
  families: readonly Family[];
  /** Next-hop defaults of those families only. */
  defaults: NextHopDefaults;
  fourOctetAs: boolean;
}

/** The families routes belong to. */
export function familiesOf(routes: readonly Route[]): Set<Family> {
  const out = new Set<Family>();
  for (const r of routes) {
    out.add(r.prefix.family);
    if (out.size === 2) break;
  }
  return out;
}

/**
 * Table inputs from what is (or is expected to be) negotiated, reduced to what the table depends on:
 * `present` is familiesOf(desired).
 */
export function tableInputs(
  desired: readonly Route[],
  present: ReadonlySet<Family>,
  negotiated: readonly Family[],
  defaults: NextHopDefaults,
  fourOctetAs: boolean,
): TableInputs {
  const families = (['ipv4', 'ipv6'] as const).filter((f) => present.has(f) && negotiated.includes(f));
  const used: NextHopDefaults = {};
  for (const f of families) {
    const d = defaults[f];
    if (d !== undefined) used[f] = d;
  }
  if (families.includes('ipv6') && defaults.ipv6LinkLocal !== undefined) used.ipv6LinkLocal = defaults.ipv6LinkLocal;
  return { desired, families, defaults: used, fourOctetAs };
}

export interface InitialTable {
  inputs: TableInputs;
  /** Adj-RIB-Out once sent: the routes that could be resolved, by prefix key. */
  rib: Map<string, Route>;
  /** Desired routes that cannot be sent (family not negotiated, no next hop of the family). */
  skipped: number;
  /** The UPDATEs announcing `rib`. */
  bytes: Uint8Array;
  /** UPDATE messages in `bytes`. */
  updates: number;
  /** The codec could not encode the routes: `bytes` is empty. */
  error?: Error;
}

export function sameInputs(a: TableInputs, b: TableInputs): boolean {
  return (
    a.desired === b.desired &&
    a.fourOctetAs === b.fourOctetAs &&
    a.families.length === b.families.length &&
    a.families.every((f, i) => f === b.families[i]) &&
    a.defaults.ipv4 === b.defaults.ipv4 &&
    a.defaults.ipv6 === b.defaults.ipv6 &&
    a.defaults.ipv6LinkLocal === b.defaults.ipv6LinkLocal
  );
}

export function prepareInitialTable(
  inputs: TableInputs,
  kind: PeerKind,
  parse: (text: string) => Ip | undefined,
): InitialTable {
  const { routes, skipped } = resolveRoutes(inputs.desired, new Set(inputs.families), inputs.defaults, parse);
  const rib = toRib(routes);
  const ctx: CodecContext = { fourOctetAs: inputs.fourOctetAs };
  // toRib keeps the last route of a prefix given twice: announce what the RIB holds.
  const batch = encodeBatch(rib.size === routes.length ? routes : [...rib.values()], [], kind, ctx, parse);
  if (batch instanceof Error) return { inputs, rib, skipped, bytes: new Uint8Array(0), updates: 0, error: batch };
  return { inputs, rib, skipped, bytes: batch.bytes, updates: batch.updates };
}
