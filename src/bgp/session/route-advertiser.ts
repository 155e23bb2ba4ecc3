// A session's Adj-RIB-Out side: the desired routes given by set(), what is advertised to the peer, and
// the initial table prepared ahead of Established (initial-table.ts). At Established the whole table
// goes out with End-of-RIB per family (RFC 4724); afterwards each set() is diffed against Adj-RIB-Out
// (adj-rib-out.ts) and only the changes are packed and sent; a ROUTE-REFRESH resends Adj-RIB-Out of one
// family, from UPDATEs encoded once per Adj-RIB-Out (a refresh storm never re-encodes the table).
// Output is bounded (output-queue.ts): while the peer is slow to read, a diff waits (and is merged with
// later set() calls) until the queue has room again; refresh resends wait the same way (the session).
// The session owns the connection and the FSM: it says when to prepare, sync, resend and reset.
import type { Logger } from '../../log/index.ts';
import type { Family } from '../../net/family.ts';
import type { Negotiated } from '../fsm/index.ts';
import type { Route } from '../routes.ts';
import { formatPrefix } from '../routes.ts';
import { diffRib, toRib } from './adj-rib-out.ts';
import type { Conn } from './connection.ts';
import { cachedIpParser } from './ip-cache.ts';
import type { InitialTable } from './initial-table.ts';
import { familiesOf, prepareInitialTable, sameInputs, tableInputs } from './initial-table.ts';
import { nextHopDefaults } from './next-hop-defaults.ts';
import type { NextHopDefaults } from './resolve-routes.ts';
import { resolveRoutes } from './resolve-routes.ts';
import type { SessionCounters, SessionOptions } from './session-types.ts';
import { localAddressOf } from './transport.ts';
import type { PeerKind } from './wire.ts';
import { familyOfAfi } from './wire.ts';
import type { EncodedBatch } from './encode-routes.ts';
import { encodeBatch } from './encode-routes.ts';
import { writeInitialTable, writeRefresh } from './write-routes.ts';

export interface AdvertiserOptions {
  peer: string;
  nextHops: SessionOptions['nextHops'];
  sourceAddress: string | undefined;
  /** The families we offer in OPEN. */
  offered: Family[];
  kind: PeerKind;
  counters: SessionCounters;
  log: Logger;
  /** The session's events: 'advertised' after a change is sent, 'error-routes' for unencodable routes. */
  emit: (event: 'advertised' | 'error-routes', payload: unknown) => void;
}

export function negotiatedFamilies(n: Negotiated): Family[] {
  return n.families.map((f) => familyOfAfi(f.afi)).filter((f): f is Family => f !== undefined);
}

export class RouteAdvertiser {
  private readonly o: AdvertiserOptions;
  private desired: Route[] = [];
  /** Adj-RIB-Out. Replaced, never changed in place (it may be an initial table's rib). */
  private advertised = new Map<string, Route>();
  /** The desired routes `advertised` was last synced to on this connection (undefined: not synced). */
  private syncedDesired: Route[] | undefined;
  /** The initial table prepared ahead of Established (kept for a later re-establishment). */
  private initialTable: InitialTable | undefined;
  /** familiesOf(desired), computed once per set(). */
  private desiredFamilies: { of: Route[]; families: Set<Family> } | undefined;
  /** Next-hop texts repeat across thousands of routes: parse each once. */
  private readonly parse = cachedIpParser();
  /** UPDATEs of Adj-RIB-Out per family, for refresh resends; valid for `of` (replaced on every change). */
  private encoded: { of: Map<string, Route>; fourOctetAs: boolean; byFamily: Map<Family, EncodedBatch> } | undefined;
  /** A diff is waiting for room in the output queue. */
  private syncDeferred = false;

  constructor(o: AdvertiserOptions) {
    this.o = o;
  }

  /** Routes currently advertised (Adj-RIB-Out), by prefix text. */
  advertisedPrefixes(): string[] {
    return [...this.advertised.values()].map((r) => formatPrefix(r.prefix));
  }

  /** Whether Adj-RIB-Out was synced to the current desired routes. */
  get synced(): boolean {
    return this.syncedDesired === this.desired;
  }

  /** New desired routes (the caller syncs them when Established, else prepares ahead). */
  set(routes: Route[]): void {
    this.desired = routes;
    // A table prepared for other routes can never be sent now (its inputs name the routes array).
    if (this.initialTable && this.initialTable.inputs.desired !== routes) this.initialTable = undefined;
  }

  /** The connection is new or gone: nothing is advertised on it. */
  reset(): void {
    this.advertised = new Map();
    this.syncedDesired = undefined;
    this.encoded = undefined;
    this.syncDeferred = false;
  }

  /** Whether a sync waits for room in the output queue (see resume()). */
  get deferred(): boolean {
    return this.syncDeferred;
  }

  /**
   * Prepares the initial table for what the session expects to negotiate: the families and 4-octet AS
   * we offer, next hops from the configuration or `conn`'s local address (else the source address).
   * Nothing to do when Established, when the table for these inputs is ready, or when a family would
   * still lack a next hop (the local address is not known yet: prepared once connected).
   */
  prepareAhead(conn: Conn): void {
    if (conn.discarded || conn.fsm.name === 'Established' || this.desired.length === 0) return;
    const local = conn.socket ? localAddressOf(conn.socket) : this.o.sourceAddress;
    const defaults = this.nextHopDefaults(local);
    const inputs = tableInputs(this.desired, this.presentFamilies(), this.o.offered, defaults, true);
    if (local === undefined && inputs.families.some((f) => defaults[f] === undefined)) return;
    if (this.initialTable && sameInputs(this.initialTable.inputs, inputs)) return;
    this.initialTable = prepareInitialTable(inputs, this.o.kind, this.parse);
    this.o.log.debug(
      { event: 'initial-table-prepared', prefixes: this.initialTable.rib.size, updates: this.initialTable.updates },
      'initial table prepared',
    );
  }

  /**
   * Brings the peer on Established `conn` (negotiated `n`) to the desired routes: the initial table and
   * End-of-RIB when `initial` (Adj-RIB-Out is empty), else the diff against Adj-RIB-Out.
   */
  sync(conn: Conn, n: Negotiated, initial: boolean): void {
    const out = conn.out;
    if (!conn.socket || !out) return;
    if (!initial && !out.hasRoom) {
      // The peer is slow to read: diff later against what was sent, merging every set() until then.
      this.syncDeferred = true;
      return;
    }
    this.syncDeferred = false;
    const counters = this.o.counters;
    let announced: number;
    let withdrawn = 0;
    let desired: Map<string, Route>;
    if (initial) {
      // Adj-RIB-Out is empty: the whole table, then End-of-RIB per family, in one write.
      const table = this.initialTableFor(conn, n);
      this.noteSkipped(table.skipped);
      if (table.error) this.reportEncodeError(table.error);
      writeInitialTable(out, table, negotiatedFamilies(n), conn.ctx);
      counters.updatesSent += table.updates;
      desired = table.rib;
      announced = table.rib.size;
    } else {
      desired = toRib(this.resolveAll(conn, n));
      const diff = diffRib(this.advertised, desired);
      this.sendRoutes(conn, diff.announce, diff.withdraw);
      announced = diff.announce.length;
      withdrawn = diff.withdraw.length;
    }
    this.advertised = desired;
    this.syncedDesired = this.desired;
    counters.prefixesAdvertised = desired.size;
    if (initial || announced > 0 || withdrawn > 0) {
      this.o.log.info({ event: 'advertised', prefixes: desired.size, announced, withdrawn }, 'routes advertised');
      this.o.emit('advertised', { peer: this.o.peer, prefixes: desired.size, announced, withdrawn });
    }
  }

  /**
   * ROUTE-REFRESH (RFC 2918 §4): sends Adj-RIB-Out of `family` again on Established `conn`, between BoRR
   * and EoRR when `enhanced` (RFC 7313 §4). The UPDATEs are encoded once per Adj-RIB-Out and reused.
   */
  resendFamily(conn: Conn, family: Family, enhanced: boolean): void {
    const out = conn.out;
    if (!conn.socket || !out) return;
    const batch = this.encodedFamily(family, conn);
    if (batch instanceof Error) return this.reportEncodeError(batch);
    writeRefresh(out, family, batch, enhanced, conn.ctx);
    this.o.counters.updatesSent += batch.updates;
  }

  private encodedFamily(family: Family, conn: Conn): EncodedBatch | Error {
    const four = conn.ctx.fourOctetAs;
    if (this.encoded?.of !== this.advertised || this.encoded.fourOctetAs !== four) {
      this.encoded = { of: this.advertised, fourOctetAs: four, byFamily: new Map() };
    }
    const cached = this.encoded.byFamily.get(family);
    if (cached) return cached;
    const routes = [...this.advertised.values()].filter((r) => r.prefix.family === family);
    const batch = encodeBatch(routes, [], this.o.kind, conn.ctx, this.parse);
    if (!(batch instanceof Error)) this.encoded.byFamily.set(family, batch);
    return batch;
  }

  /** Next hops for routes without one: configured, else the local address `local` of the family. */
  private nextHopDefaults(local: string | undefined): NextHopDefaults {
    return nextHopDefaults(local, this.o.nextHops, this.parse);
  }

  private noteSkipped(skipped: number): void {
    const counters = this.o.counters;
    if (skipped > 0 && skipped !== counters.routesSkipped) {
      this.o.log.warn(
        { event: 'routes-skipped', count: skipped },
        'routes not sent: family not negotiated or no next hop of the family',
      );
    }
    counters.routesSkipped = skipped;
  }

  /** Desired routes with next hops filled in, limited to negotiated families. */
  private resolveAll(conn: Conn, n: Negotiated): Route[] {
    const local = conn.socket ? localAddressOf(conn.socket) : undefined;
    const { routes, skipped } = resolveRoutes(
      this.desired,
      new Set(negotiatedFamilies(n)),
      this.nextHopDefaults(local),
      this.parse,
    );
    this.noteSkipped(skipped);
    return routes;
  }

  private presentFamilies(): Set<Family> {
    if (this.desiredFamilies?.of !== this.desired)
      this.desiredFamilies = { of: this.desired, families: familiesOf(this.desired) };
    return this.desiredFamilies.families;
  }

  /** The initial table for what was negotiated on `conn`: the prepared one when its inputs match. */
  private initialTableFor(conn: Conn, n: Negotiated): InitialTable {
    const socket = conn.socket;
    const defaults = this.nextHopDefaults(socket ? localAddressOf(socket) : undefined);
    const inputs = tableInputs(
      this.desired,
      this.presentFamilies(),
      negotiatedFamilies(n),
      defaults,
      conn.ctx.fourOctetAs,
    );
    const ready = this.initialTable;
    if (ready && sameInputs(ready.inputs, inputs)) return ready;
    this.o.log.debug({ event: 'initial-table-miss' }, 'initial table prepared at Established');
    this.initialTable = prepareInitialTable(inputs, this.o.kind, this.parse);
    return this.initialTable;
  }

  /** A route the codec cannot encode (e.g. out-of-range value): report, keep the session. */
  private reportEncodeError(err: Error): void {
    this.o.log.error({ event: 'encode-error', err: err.message }, 'routes not sent');
    this.o.emit('error-routes', err);
  }

  private sendRoutes(conn: Conn, announce: Route[], withdraw: Route['prefix'][]): void {
    if (announce.length === 0 && withdraw.length === 0) return;
    const out = conn.out;
    if (!conn.socket || !out) return;
    const batch = encodeBatch(announce, withdraw, this.o.kind, conn.ctx, this.parse);
    if (batch instanceof Error) return this.reportEncodeError(batch);
    out.push(batch.bytes);
    this.o.counters.updatesSent += batch.updates;
  }
}
