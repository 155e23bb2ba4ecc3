// One BGP session to one peer: runs the pure FSM (src/bgp/fsm) over real TCP and an injected clock.
// This file executes the FSM's actions and routes events between the pieces around it:
//  - One FSM per TCP connection (`Conn`, connection.ts: socket, timers). The main connection owns the
//    automatic-restart cycle (active connect with back-off, or passive accept); an incoming connection
//    that arrives while the main one is in Connect/OpenSent/OpenConfirm gets its own FSM, and the
//    collision is resolved as RFC 4271 §6.8 says once a BGP Identifier is known (collision.ts picks the
//    loser; here the survivor becomes the main connection).
//  - Desired state: set(routes) goes to the RouteAdvertiser (route-advertiser.ts: Adj-RIB-Out, the
//    initial table prepared ahead, diffs, End-of-RIB, route refresh resend); the session says when to
//    prepare (after set(), once our OPEN is out) and when to sync (Established, set() while Established).
//  - Graceful restart (RFC 4724) as restarting speaker: GR capability with restart time; R bit on the
//    first OPEN after a restart; stop({restart:true}) closes without NOTIFICATION.
//  - Received messages: decode failures and NOTIFICATIONs map to FSM events (message-errors.ts);
//    UPDATEs are decoded with RFC 7606 handling and only counted (received-update.ts). Errors in what the
//    peer sent are logged rate-limited per reason and always counted (error-log.ts, metrics).
//  - One peer never starves the others: frames are handled in bounded batches, yielding to the event
//    loop between them (the socket is paused meanwhile, so TCP pushes back on a flooding peer); a
//    ROUTE-REFRESH only marks its family for a resend (at most one pending per family, route-refresh.ts),
//    done from cached UPDATEs when the output queue has room (output-queue.ts: bounded, honours
//    write()'s answer); a peer that reads nothing for the send hold time is closed (RFC 9687).
//  - Public types in session-types.ts, option checks in session-config.ts (re-exported here).
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { createLogger, type Logger } from '../../log/index.ts';
import type { Family } from '../../net/family.ts';
import { buildOpen, decodeMessage } from '../codec/index.ts';
import type { BgpMessage } from '../codec/model.ts';
import type { FsmAction, FsmConfig, FsmEvent, FsmStateName, Negotiated } from '../fsm/index.ts';
import { step } from '../fsm/index.ts';
import type { Route } from '../routes.ts';
import { collisionLoser } from './collision.ts';
import { systemClock, type Clock } from '../../time/index.ts';
import type { Connector } from './transport.ts';
import { defaultConnector, localAddressOf } from './transport.ts';
import { familyOfAfi, openSettings, toPeerOpen } from './wire.ts';
import type { Conn } from './connection.ts';
import {
  attachSocket,
  cancelTimers,
  closeSocket,
  newConn,
  refuseSocket,
  sendMessage,
  startTimer,
  stopSendHold,
  stopTimer,
  waitClosed,
} from './connection.ts';
import { decodeFailure, notificationReceived } from './message-errors.ts';
import { ErrorLog } from './error-log.ts';
import { armSendHold, readBatch, sendHoldSeconds } from './flow-control.ts';
import { AdjRibIn, recordUpdate } from './received-update.ts';
import { refreshAction } from './route-refresh.ts';
import { RouteAdvertiser } from './route-advertiser.ts';
import { connectOptions, sessionConfig } from './session-config.ts';
import type { NotificationEvent, SessionCounters, SessionOptions, StateChange } from './session-types.ts';
import { newCounters } from './session-types.ts';

export { routerIdToNumber } from './session-config.ts';
export type { NotificationEvent, SessionCounters, SessionOptions, StateChange } from './session-types.ts';

/** Bulk output waiting for a slow peer before producers stop: a few full tables of host routes. */
const DEFAULT_OUTPUT_HIGH_WATER = 256 * 1024;

export class BgpSession extends EventEmitter {
  readonly peer: string;
  readonly peerAddress: string;
  private readonly opts: SessionOptions;
  private readonly cfg: FsmConfig;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly connector: Connector;
  private main: Conn;
  private secondary: Conn | undefined;
  /** State of a main connection just dumped by collision resolution, reported as `previous`. */
  private swapPrevious: FsmStateName | undefined;
  private readonly rib: RouteAdvertiser;
  private prepareQueued = false;
  private readonly adjRibIn = new AdjRibIn();
  private readonly errors: ErrorLog;
  private readonly defer: (fn: () => void) => void;
  private negotiated: Negotiated | undefined;
  private restarting: boolean;
  readonly counters: SessionCounters = newCounters();

  constructor(opts: SessionOptions) {
    super();
    const { peerAddress, cfg } = sessionConfig(opts);
    this.opts = opts;
    this.peerAddress = peerAddress;
    this.peer = opts.name ?? peerAddress;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? createLogger({ level: 'silent' })).child({ peer: this.peer, peerAddress });
    this.connector = opts.connector ?? defaultConnector;
    this.defer = opts.defer ?? setImmediate;
    const metrics = opts.metrics;
    this.errors = new ErrorLog(
      this.log,
      this.clock,
      {
        count: (reason) => {
          this.counters.receivedErrors++;
          metrics?.receivedError(this.peer, reason);
        },
        suppressed: (reason) => metrics?.suppressed(this.peer, reason),
      },
      opts.logLimit,
    );
    this.restarting = opts.gracefulRestart?.restarting ?? false;
    this.cfg = cfg;
    this.rib = new RouteAdvertiser({
      peer: this.peer,
      nextHops: opts.nextHops,
      sourceAddress: opts.sourceAddress,
      offered: cfg.families.map((f) => familyOfAfi(f.afi)).filter((f): f is Family => f !== undefined),
      kind: { localAsn: cfg.localAsn, ibgp: cfg.localAsn === cfg.peerAsn },
      counters: this.counters,
      log: this.log,
      emit: (event, payload) => this.emit(event, payload),
    });
    this.main = newConn('out');
  }

  // ---- public API --------------------------------------------------------------------------------

  get state(): FsmStateName {
    return this.main.fsm.name;
  }

  get isEstablished(): boolean {
    return this.main.fsm.name === 'Established';
  }

  /** Our address on the current connection (IPv4-mapped form unwrapped). */
  get localAddress(): string | undefined {
    return this.main.socket ? localAddressOf(this.main.socket) : undefined;
  }

  /** Who opened the current connection: 'out' (we connected) or 'in' (the peer did). */
  get connectionDirection(): 'out' | 'in' | undefined {
    return this.main.socket ? this.main.direction : undefined;
  }

  /** Octets of output not yet taken by the kernel on the current connection (bounded, see output-queue.ts). */
  get outputPending(): number {
    return this.main.out?.pending ?? 0;
  }

  get negotiatedParameters(): Negotiated | undefined {
    return this.negotiated;
  }

  /** Routes currently advertised (Adj-RIB-Out), by prefix text. */
  advertisedPrefixes(): string[] {
    return this.rib.advertisedPrefixes();
  }

  /** Whether Adj-RIB-Out equals the desired routes that can be sent (nothing left to send). */
  get inSync(): boolean {
    // Established, every set() is synced at once and the next-hop inputs are fixed by the connection.
    return this.isEstablished && this.rib.synced;
  }

  start(): void {
    this.dispatch(this.main, { type: 'ManualStart' });
  }

  /**
   * Stops the session. Default: NOTIFICATION Cease/Administrative Shutdown, so the peer withdraws our
   * routes at once. restart=true: close without NOTIFICATION, so a graceful-restart peer keeps them.
   * ceaseSubcode picks another Cease subcode (RFC 4486), e.g. 3 Peer De-configured.
   * Resolves when the sockets are closed (or after a short grace period).
   */
  stop(opts: { restart?: boolean; ceaseSubcode?: number } = {}): Promise<void> {
    const sockets = [this.main.socket, this.secondary?.socket].filter((s): s is net.Socket => s !== undefined);
    const event: FsmEvent = opts.restart
      ? { type: 'ManualStop', restart: true }
      : { type: 'ManualStop', ...(opts.ceaseSubcode !== undefined ? { ceaseSubcode: opts.ceaseSubcode } : {}) };
    if (this.secondary) this.dispatch(this.secondary, event);
    this.dispatch(this.main, event);
    this.errors.flush();
    return Promise.all(sockets.map((s) => waitClosed(s, 2000))).then(() => undefined);
  }

  /** Desired routes; diffed against Adj-RIB-Out, only changes are sent. */
  set(routes: Route[]): void {
    this.rib.set(routes);
    if (this.isEstablished) this.sync(false);
    else this.queuePrepare();
  }

  /** BFD reports the path to the peer down: tear the session down now (RFC 5882). */
  bfdDown(): void {
    this.dispatch(this.main, { type: 'BfdDown' });
  }

  /**
   * A connection accepted by the listener from this peer's address. Returns why it was rejected, or
   * undefined when taken.
   */
  acceptIncoming(socket: net.Socket): string | undefined {
    const main = this.main;
    const reject = (why: string, notify: boolean): string => {
      this.log.info({ event: 'incoming-rejected', reason: why }, 'incoming connection rejected');
      refuseSocket(socket, notify);
      return why;
    };
    switch (main.fsm.name) {
      case 'Idle':
        if (!main.fsm.enabled) return reject('session not started', false);
        this.dispatch(main, { type: 'AutomaticStart_with_PassiveTcpEstablishment' });
        return this.takeIncoming(main, socket);
      case 'Active':
        return this.takeIncoming(main, socket);
      case 'Connect': // our own connect is in flight: run both, resolve the collision on OPEN (§6.8)
      case 'OpenSent':
      case 'OpenConfirm': {
        if (this.secondary) this.discard(this.secondary, 'replaced by a newer incoming connection');
        const conn = newConn('in');
        this.dispatch(conn, { type: 'ManualStart_with_PassiveTcpEstablishment' });
        this.secondary = conn;
        return this.takeIncoming(conn, socket);
      }
      case 'Established':
        return reject('already Established (RFC 4271 §6.8)', true);
    }
  }

  // ---- FSM plumbing ------------------------------------------------------------------------------

  private takeIncoming(conn: Conn, socket: net.Socket): undefined {
    conn.attempt++; // abandon an outgoing connect in flight
    conn.direction = 'in';
    this.attach(conn, socket);
    this.dispatch(conn, { type: 'TcpConnectionConfirmed' });
    this.rib.prepareAhead(conn);
    return undefined;
  }

  /** Runs one FSM step on `conn`. `detail` says what happened (for the Idle reason), when known. */
  private dispatch(conn: Conn, event: FsmEvent, detail?: string): void {
    if (conn.discarded) return;
    conn.detail = detail;
    // Only the main connection's changes are the session's; promoteSecondary reports a switch itself.
    let report = conn === this.main;
    const before = conn.fsm;
    const r = step(before, event, this.cfg);
    conn.fsm = r.state;
    if (r.ignored) this.log.debug({ event: 'fsm-ignored', fsmEvent: event.type, reason: r.ignored }, 'event ignored');
    for (const a of r.actions) {
      if (a.type === 'establish' && conn !== this.main) report = true; // taking over as main (see exec)
      this.exec(conn, a);
    }
    if (event.type === 'BGPOpen' && r.state.name === 'OpenConfirm' && r.state.negotiated) {
      // We run no confederation: every eBGP peer is external to us (RFC 5065 §5.3 checks in the codec).
      conn.ctx = { fourOctetAs: r.state.negotiated.fourOctetAs, externalPeer: this.cfg.localAsn !== this.cfg.peerAsn };
      this.checkCollision(conn, r.state.negotiated.peerBgpId);
    }
    // A main connection dumped in favour of the other one is not a session going down: promoteSecondary
    // reports the surviving connection's state instead.
    const swapping = event.type === 'OpenCollisionDump' && conn === this.main && this.secondary !== undefined;
    if (swapping) this.swapPrevious = before.name;
    if (before.name !== r.state.name && report && conn === this.main && !conn.discarded && !swapping) {
      const reason = r.state.name === 'Idle' ? conn.lastReason : event.type;
      this.log.info({ event: 'state', state: r.state.name, previous: before.name, reason }, `BGP ${r.state.name}`);
      const change: StateChange = { peer: this.peer, state: r.state.name, previous: before.name, reason };
      this.emit('state', change);
    }
    conn.detail = undefined;
    this.afterDispatch(conn);
  }

  private afterDispatch(conn: Conn): void {
    if (conn.discarded) return;
    const live = conn.fsm.name === 'OpenSent' || conn.fsm.name === 'OpenConfirm' || conn.fsm.name === 'Established';
    if (conn === this.secondary && !live) {
      // A secondary connection never reconnects: once its TCP connection is gone, so is it.
      this.discard(conn, conn.lastReason);
      this.secondary = undefined;
    } else if (
      conn === this.main &&
      !conn.socket &&
      (conn.fsm.name === 'Idle' || conn.fsm.name === 'Active') &&
      this.secondary &&
      conn.fsm.enabled
    ) {
      // The main connection is gone but the peer's connection is alive: carry on with that one.
      this.promoteSecondary();
    }
  }

  private promoteSecondary(): void {
    const next = this.secondary;
    if (!next) return;
    const previous = this.swapPrevious ?? this.main.fsm.name;
    this.swapPrevious = undefined;
    this.discard(this.main, 'replaced by the collision winner');
    next.fsm = { ...next.fsm, passiveStart: this.cfg.passive };
    this.main = next;
    this.secondary = undefined;
    this.log.info(
      { event: 'collision-winner', conn: next.id, direction: next.direction },
      'keeping the other connection',
    );
    if (previous !== next.fsm.name) {
      const change: StateChange = {
        peer: this.peer,
        state: next.fsm.name,
        previous,
        reason: 'connection collision resolved',
      };
      this.emit('state', change);
    }
  }

  private discard(conn: Conn, reason: string): void {
    cancelTimers(conn);
    if (conn.socket) closeSocket(conn);
    conn.discarded = true;
    this.log.debug({ event: 'conn-discarded', conn: conn.id, reason }, 'connection discarded');
  }

  /** RFC 4271 §6.8: when the peer's identifier is known and two connections are open, keep one. */
  private checkCollision(conn: Conn, peerBgpId: number): void {
    const other = conn === this.main ? this.secondary : this.main;
    if (!other || other.discarded) return;
    if (other.fsm.name !== 'OpenSent' && other.fsm.name !== 'OpenConfirm') return;
    const loser = collisionLoser(
      { conn, direction: conn.direction, age: conn.id },
      { conn: other, direction: other.direction, age: other.id },
      this.cfg.bgpId,
      peerBgpId,
    ).conn;
    this.log.info({ event: 'collision', loser: loser.id, direction: loser.direction }, 'connection collision');
    this.dispatch(loser, { type: 'OpenCollisionDump' });
    if (loser === this.main && this.secondary && !this.main.discarded) this.promoteSecondary();
  }

  private exec(conn: Conn, a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        return this.connect(conn);
      case 'close':
        return closeSocket(conn);
      case 'sendOpen':
        return sendMessage(
          conn,
          buildOpen(
            openSettings({
              localAsn: this.cfg.localAsn,
              holdTime: this.cfg.holdTime,
              bgpId: this.cfg.bgpId,
              families: this.cfg.families,
              ...(this.opts.gracefulRestart
                ? {
                    gracefulRestart: {
                      restartTime: this.opts.gracefulRestart.restartTime,
                      restarting: this.restarting,
                    },
                  }
                : {}),
            }),
          ),
        );
      case 'sendKeepalive':
        return sendMessage(conn, { type: 'KEEPALIVE' });
      case 'sendNotification':
        this.counters.notificationsSent++;
        this.log.info({ event: 'notification-sent', code: a.code, subcode: a.subcode }, 'NOTIFICATION sent');
        this.emit('notification', {
          peer: this.peer,
          direction: 'sent',
          code: a.code,
          subcode: a.subcode,
        } satisfies NotificationEvent);
        return sendMessage(conn, {
          type: 'NOTIFICATION',
          code: a.code,
          subcode: a.subcode,
          data: a.data ?? new Uint8Array(0),
        });
      case 'startTimer':
        return startTimer(conn, a.timer, a.seconds, this.clock, (ev) => this.dispatch(conn, ev), this.defer);
      case 'stopTimer':
        return stopTimer(conn, a.timer);
      case 'processUpdate':
        return this.processUpdate(conn);
      case 'processRouteRefresh':
        return this.processRouteRefresh(conn);
      case 'establish':
        if (conn !== this.main) {
          // A secondary connection reached Established: the main one lost or died; take over.
          if (this.secondary === conn) {
            this.discard(this.main, 'superseded');
            this.main = conn;
            this.secondary = undefined;
          }
        }
        this.negotiated = a.negotiated;
        this.counters.establishedTransitions++;
        this.rib.reset();
        this.adjRibIn.clear();
        // After the first Established the R bit is no longer ours to send (RFC 4724 §4.1).
        this.restarting = false;
        // After the FSM step completes (so the Established state change is reported first).
        queueMicrotask(() => {
          if (this.isEstablished && this.main === conn) this.sync(true);
        });
        return;
      case 'releaseResources':
        conn.lastReason = conn.detail ?? a.reason;
        if (conn === this.main) {
          this.negotiated = undefined;
          this.rib.reset();
          this.adjRibIn.clear();
          this.counters.prefixesAdvertised = 0;
          this.counters.prefixesReceived = 0;
        }
        return;
    }
  }

  private connect(conn: Conn): void {
    const attempt = ++conn.attempt;
    conn.direction = 'out';
    const connectTo = connectOptions(this.opts, this.peerAddress);
    this.log.debug({ event: 'connect', port: connectTo.port }, 'connecting');
    let pending: Promise<net.Socket>;
    try {
      pending = this.connector(connectTo);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (socket) => {
        if (conn.discarded || conn.attempt !== attempt || conn.fsm.name !== 'Connect') {
          socket.destroy();
          return;
        }
        this.attach(conn, socket);
        this.dispatch(conn, { type: 'Tcp_CR_Acked' });
        this.rib.prepareAhead(conn); // our OPEN is out: use the round trip to the peer's OPEN
      },
      (err: unknown) => {
        if (conn.discarded || conn.attempt !== attempt) return;
        this.log.info({ event: 'connect-failed', err: String((err as Error)?.message ?? err) }, 'connect failed');
        this.dispatch(
          conn,
          { type: 'TcpConnectionFails' },
          `connect failed: ${(err as Error)?.message ?? String(err)}`,
        );
      },
    );
  }

  private attach(conn: Conn, socket: net.Socket): void {
    attachSocket(
      conn,
      socket,
      (chunk) => this.onData(conn, chunk),
      (why) => {
        this.dispatch(conn, { type: 'TcpConnectionFails' }, why);
      },
      {
        highWater: this.opts.outputHighWater ?? DEFAULT_OUTPUT_HIGH_WATER,
        onBlocked: () => this.armSendHold(conn),
        onDrained: () => {
          stopSendHold(conn);
          this.flushOutput(conn);
        },
      },
    );
  }

  // ---- backpressure (RFC 9687) -------------------------------------------------------------------

  /** Output is blocked: unless the peer reads again within the send hold time, close the session. */
  private armSendHold(conn: Conn): void {
    const seconds = sendHoldSeconds(this.opts.sendHoldTime, conn.fsm.negotiated?.holdTime);
    armSendHold(conn, this.clock, seconds, () => {
      const live = conn.fsm.name === 'OpenSent' || conn.fsm.name === 'OpenConfirm' || conn.fsm.name === 'Established';
      if (!live) return;
      this.counters.sendHoldTimerExpired++;
      this.opts.metrics?.sendHoldExpired(this.peer);
      this.log.warn(
        { event: 'send-hold-timer-expired', seconds, pending: conn.out?.pending },
        'peer has not read for the send hold time (RFC 9687)',
      );
      this.dispatch(
        conn,
        { type: 'SendHoldTimer_Expires' },
        `send hold timer expired: the peer read nothing for ${seconds} s`,
      );
    });
  }

  /** Output work waiting for room: a deferred Adj-RIB-Out diff, then pending refresh resends. */
  private flushOutput(conn: Conn): void {
    if (conn !== this.main || !this.isEstablished || !conn.out) return;
    if (this.rib.deferred) this.sync(false);
    const enhanced = this.negotiated?.enhancedRouteRefresh ?? false;
    for (const family of [...conn.pendingRefresh]) {
      if (!conn.out?.hasRoom) return; // the rest when the queue drains
      conn.pendingRefresh.delete(family);
      this.counters.routeRefreshResends++;
      this.rib.resendFamily(conn, family, enhanced);
    }
  }

  private scheduleFlush(conn: Conn): void {
    if (conn.flushScheduled) return;
    conn.flushScheduled = true;
    this.defer(() => {
      conn.flushScheduled = false;
      if (!conn.discarded) this.flushOutput(conn);
    });
  }

  // ---- receiving ---------------------------------------------------------------------------------

  /** Received bytes: handled in bounded batches, one per turn of the event loop (flow-control.ts). */
  private onData(conn: Conn, chunk: Uint8Array): void {
    const socket = conn.socket;
    if (!socket) return;
    conn.reader.append(chunk);
    if (conn.readScheduled) return;
    readBatch(conn, socket, {
      defer: this.defer,
      onFrame: (frame) => this.onFrame(conn, frame),
      onHeaderError: (err) =>
        this.dispatch(
          conn,
          { type: 'BGPHeaderErr', code: err.code, subcode: err.subcode, data: err.data },
          err.message,
        ),
    });
  }

  private onFrame(conn: Conn, frame: Uint8Array): void {
    let msg: BgpMessage;
    try {
      msg = decodeMessage(frame, 0, conn.ctx).value;
    } catch (err) {
      const f = decodeFailure(frame, err);
      this.errors.report(
        `malformed-${f.code}-${f.subcode}`,
        { event: 'decode-error', type: f.type, code: f.code, subcode: f.subcode, err: f.why },
        'malformed message',
      );
      return this.dispatch(conn, f.event, f.why);
    }
    switch (msg.type) {
      case 'OPEN':
        return this.dispatch(conn, { type: 'BGPOpen', open: toPeerOpen(msg) });
      case 'KEEPALIVE':
        return this.dispatch(conn, { type: 'KeepAliveMsg' });
      case 'UPDATE':
        conn.pendingUpdate = msg;
        this.dispatch(conn, { type: 'UpdateMsg' });
        conn.pendingUpdate = undefined;
        return;
      case 'NOTIFICATION': {
        this.counters.notificationsReceived++;
        const { event, why } = notificationReceived(msg);
        this.log.info(
          { event: 'notification-received', code: msg.code, subcode: msg.subcode },
          'NOTIFICATION received',
        );
        this.emit('notification', {
          peer: this.peer,
          direction: 'received',
          code: msg.code,
          subcode: msg.subcode,
        } satisfies NotificationEvent);
        return this.dispatch(conn, event, why);
      }
      case 'ROUTE-REFRESH':
        conn.pendingRefreshMsg = msg;
        this.dispatch(conn, { type: 'RouteRefreshMsg' });
        conn.pendingRefreshMsg = undefined;
        return;
    }
  }

  private processUpdate(conn: Conn): void {
    const u = conn.pendingUpdate;
    if (!u || conn !== this.main) return;
    recordUpdate(u, this.adjRibIn, this.counters, (reason, fields, msg) => this.errors.report(reason, fields, msg));
    this.emit('update', u);
  }

  /** RFC 2918 §4 / RFC 7313: mark the family for a resend (coalesced), or note the peer's BoRR/EoRR. */
  private processRouteRefresh(conn: Conn): void {
    const msg = conn.pendingRefreshMsg;
    this.counters.routeRefreshesReceived++;
    const n = this.negotiated;
    if (!msg || conn !== this.main || !this.isEstablished || !n) return;
    const a = refreshAction(msg, n);
    const metrics = this.opts.metrics;
    switch (a.kind) {
      case 'ignore':
        this.counters.routeRefreshesIgnored++;
        metrics?.routeRefresh(this.peer, `ignored-${a.reason}`);
        this.errors.report(
          `route-refresh-${a.reason}`,
          { event: 'route-refresh-ignored', afi: msg.afi, safi: msg.safi, subtype: msg.subtype },
          'ROUTE-REFRESH ignored (RFC 2918 §4, RFC 7313 §5)',
        );
        return;
      case 'borr':
        metrics?.routeRefresh(this.peer, 'borr');
        this.adjRibIn.beginRefresh(a.family);
        return;
      case 'eorr': {
        metrics?.routeRefresh(this.peer, 'eorr');
        const purged = this.adjRibIn.endRefresh(a.family);
        this.counters.prefixesReceived = this.adjRibIn.size;
        if (purged > 0)
          this.log.debug(
            { event: 'enhanced-refresh-purged', family: a.family, purged },
            'stale routes dropped at EoRR',
          );
        return;
      }
      case 'resend':
        if (conn.pendingRefresh.has(a.family)) {
          this.counters.routeRefreshesCoalesced++;
          metrics?.routeRefresh(this.peer, 'coalesced');
          return;
        }
        metrics?.routeRefresh(this.peer, 'resent');
        conn.pendingRefresh.add(a.family);
        this.scheduleFlush(conn);
        return;
    }
  }

  // ---- sending routes (route-advertiser.ts) --------------------------------------------------------

  /** Prepares the initial table soon (set() may come in bursts: once per turn of the event loop). */
  private queuePrepare(): void {
    if (this.prepareQueued) return;
    this.prepareQueued = true;
    this.defer(() => {
      this.prepareQueued = false;
      // Not while our TCP connect is in flight: preparing a large table holds the event loop, the
      // ConnectRetry timer falls due meanwhile, and Node runs a due timer before the I/O that completed
      // in the same time, so the session would drop the connection the peer had just accepted and dial
      // again. The table is prepared right after our OPEN goes out instead (connect()).
      if (this.main.fsm.name === 'Connect') return;
      this.rib.prepareAhead(this.main);
    });
  }

  private sync(initial: boolean): void {
    const n = this.negotiated;
    if (n) this.rib.sync(this.main, n, initial);
  }
}
