// One TCP connection to the peer and the FSM that runs it, and what the session does to it: attach a
// socket, write a message, run the FSM's timers, close. A session has a main connection and, during a
// connection collision (RFC 4271 §6.8), a second one. Output goes through the connection's OutputQueue
// (output-queue.ts: backpressure, control messages first).
import type net from 'node:net';
import type { Family } from '../../net/family.ts';
import { encodeMessage } from '../codec/index.ts';
import type { BgpMessage, CodecContext, RouteRefresh, Update } from '../codec/model.ts';
import type { FsmEvent, FsmState, TimerName } from '../fsm/index.ts';
import { initialState } from '../fsm/index.ts';
import { CeaseSubcode, ErrorCode } from '../errors.ts';
import type { Clock, Timer } from '../../time/index.ts';
import { FrameReader } from './frame-reader.ts';
import type { OutputQueueOptions } from './output-queue.ts';
import { OutputQueue } from './output-queue.ts';

/** One TCP connection and the FSM that runs it. */
export interface Conn {
  id: number;
  direction: 'out' | 'in';
  fsm: FsmState;
  socket?: net.Socket;
  timers: Map<TimerName, Timer>;
  /** Bumped to invalidate pending connect attempts. */
  attempt: number;
  reader: FrameReader;
  ctx: CodecContext;
  pendingUpdate?: Update;
  discarded: boolean;
  lastReason: string;
  /** What caused the event being dispatched (a peer's NOTIFICATION, a TCP error...). */
  detail: string | undefined;
  /** Output towards the peer while a socket is attached. */
  out?: OutputQueue;
  /** RFC 9687 SendHoldTimer, armed while output is blocked. */
  sendHold?: Timer;
  /** Families a ROUTE-REFRESH asked for and not resent yet (at most one pending resend each). */
  pendingRefresh: Set<Family>;
  /** The ROUTE-REFRESH being dispatched (for processRouteRefresh). */
  pendingRefreshMsg?: RouteRefresh;
  /** Frames left in the reader for a later turn of the event loop (the socket is paused meanwhile). */
  readScheduled: boolean;
  /** A flush of pending output work (refresh resends, a deferred sync) is scheduled. */
  flushScheduled: boolean;
}

let nextConnId = 1;

export function newConn(direction: 'out' | 'in'): Conn {
  return {
    id: nextConnId++,
    direction,
    fsm: initialState(),
    timers: new Map(),
    attempt: 0,
    reader: new FrameReader(),
    ctx: { fourOctetAs: false },
    discarded: false,
    lastReason: '',
    detail: undefined,
    pendingRefresh: new Set(),
    readScheduled: false,
    flushScheduled: false,
  };
}

const TIMER_EVENTS: Record<TimerName, FsmEvent['type']> = {
  ConnectRetry: 'ConnectRetryTimer_Expires',
  Hold: 'HoldTimer_Expires',
  Keepalive: 'KeepaliveTimer_Expires',
  IdleHold: 'IdleHoldTimer_Expires',
};

/** (Re)starts `timer` on `conn`; when it expires, `dispatch` gets the FSM's expiry event for it. */
/**
 * Arms an FSM timer. Its expiry is judged one event-loop turn later (`defer`, setImmediate in
 * production): Node runs due timers before the I/O completed in the same turn, so after a stall (a
 * starved machine, a large table prepared) the KEEPALIVE that arrived in time, or the TCP connect the
 * peer already accepted, is handled first and the now-stopped timer no longer fires. An expiry whose
 * timer was stopped or restarted meanwhile is dropped.
 */
export function startTimer(
  conn: Conn,
  timer: TimerName,
  seconds: number,
  clock: Clock,
  dispatch: (event: FsmEvent) => void,
  defer: (fn: () => void) => void,
): void {
  conn.timers.get(timer)?.cancel();
  const ev = { type: TIMER_EVENTS[timer] } as FsmEvent;
  const handle = clock.setTimer(seconds * 1000, () =>
    defer(() => {
      if (conn.timers.get(timer) !== handle) return;
      conn.timers.delete(timer);
      dispatch(ev);
    }),
  );
  conn.timers.set(timer, handle);
}

export function stopTimer(conn: Conn, timer: TimerName): void {
  conn.timers.get(timer)?.cancel();
  conn.timers.delete(timer);
}

export function cancelTimers(conn: Conn): void {
  for (const t of conn.timers.values()) t.cancel();
  conn.timers.clear();
  stopSendHold(conn);
}

export function stopSendHold(conn: Conn): void {
  conn.sendHold?.cancel();
  conn.sendHold = undefined;
}

/**
 * Makes `socket` the connection's. Its data goes to `onData`; its end (error, close, FIN) to `gone`,
 * once, with why, unless the connection has moved on to another socket by then.
 */
export function attachSocket(
  conn: Conn,
  socket: net.Socket,
  onData: (chunk: Buffer) => void,
  gone: (why: string) => void,
  output: OutputQueueOptions,
): void {
  conn.socket = socket;
  conn.reader.clear();
  conn.out?.close();
  conn.out = new OutputQueue(socket, output);
  conn.pendingRefresh.clear();
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    if (conn.socket === socket) onData(chunk);
  });
  const end = (why: string) => {
    if (conn.socket !== socket) return;
    conn.socket = undefined;
    releaseOutput(conn);
    gone(why);
  };
  socket.on('error', (err) => end(`TCP error: ${err.message}`));
  socket.on('close', () => end('TCP connection closed by peer'));
  socket.on('end', () => end('TCP connection closed by peer'));
}

export function closeSocket(conn: Conn): void {
  conn.attempt++;
  const socket = conn.socket;
  if (!socket) return;
  conn.socket = undefined;
  conn.reader.clear();
  const deaf = conn.out?.isBlocked ?? false;
  releaseOutput(conn);
  if (deaf) {
    // The peer reads nothing (send hold timer): what is still buffered would never leave. Free it now.
    socket.destroy();
    return;
  }
  // Flush what we wrote (a NOTIFICATION), then FIN; read and drop until the peer closes.
  socket.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), 3000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Drops queued output, pending refreshes and the send hold timer of a connection losing its socket. */
function releaseOutput(conn: Conn): void {
  conn.out?.close();
  conn.out = undefined;
  conn.pendingRefresh.clear();
  stopSendHold(conn);
}

/** A control message (OPEN, KEEPALIVE, NOTIFICATION): written at once, ahead of queued bulk output. */
export function sendMessage(conn: Conn, msg: BgpMessage): void {
  const socket = conn.socket;
  if (!socket || socket.destroyed) return;
  const bytes = encodeMessage(msg, conn.ctx);
  if (conn.out) conn.out.urgent(bytes);
  else socket.write(bytes);
}

/**
 * Turns away an incoming connection no FSM takes: with NOTIFICATION Cease/Connection Collision
 * Resolution (6/7) when `notify` (the session is Established, RFC 4271 §6.8), else by closing it. Either
 * way the socket is gone within a few seconds, whatever the peer does (idle connections cost nothing).
 */
export function refuseSocket(socket: net.Socket, notify: boolean): void {
  socket.on('error', () => {});
  if (!notify) {
    socket.destroy();
    return;
  }
  socket.end(
    encodeMessage(
      {
        type: 'NOTIFICATION',
        code: ErrorCode.Cease,
        subcode: CeaseSubcode.ConnectionCollisionResolution,
        data: new Uint8Array(0),
      },
      { fourOctetAs: true },
    ),
  );
  // A peer that never reads nor closes must not keep the socket: drop it after a grace period.
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), 3000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Resolves once `socket` is closed, or after `ms` (then destroys it). */
export function waitClosed(socket: net.Socket, ms: number): Promise<void> {
  if (socket.destroyed || socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    t.unref();
    socket.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
