// How one connection keeps a peer from starving the others, on both directions of the socket:
//  - in: received frames are handled in bounded batches (READ_BUDGET) per turn of the event loop; when
//    more are buffered the socket is paused (TCP pushes back on the peer) and the rest waits for a later
//    turn (`defer`), so timers (our KEEPALIVEs) and other sessions run in between;
//  - out: while the output queue is blocked (output-queue.ts), the RFC 9687 SendHoldTimer runs; if the
//    peer has read nothing when it expires, the session closes the connection.
import type net from 'node:net';
import type { BgpError } from '../errors.ts';
import type { Clock } from '../../time/index.ts';
import type { Conn } from './connection.ts';

/** Work per connection per turn of the event loop: frames handled before yielding. */
export const READ_BUDGET = { frames: 64, bytes: 64 * 1024 };

/** RFC 9687 §4 suggests 8 minutes; a longer hold time gets twice its length. */
export function sendHoldSeconds(configured: number | undefined, negotiatedHoldTime: number | undefined): number {
  return configured ?? Math.max(480, 2 * (negotiatedHoldTime ?? 0));
}

export interface ReadHandlers {
  /** Runs `fn` in a later turn of the event loop. */
  defer: (fn: () => void) => void;
  onFrame: (frame: Uint8Array) => void;
  onHeaderError: (err: BgpError) => void;
}

/** Handles one bounded batch of `conn`'s buffered frames and schedules the next one if any are left. */
export function readBatch(conn: Conn, socket: net.Socket, h: ReadHandlers): void {
  conn.readScheduled = false;
  const alive = (): boolean => conn.socket === socket && !conn.discarded;
  if (!alive()) return;
  const r = conn.reader.read(READ_BUDGET, (frame) => {
    h.onFrame(frame);
    return alive();
  });
  if (!alive()) return;
  if (r.error) return h.onHeaderError(r.error);
  if (r.more) {
    socket.pause();
    conn.readScheduled = true;
    h.defer(() => readBatch(conn, socket, h));
  } else if (socket.isPaused()) {
    socket.resume();
  }
}

/**
 * Output on `conn` is blocked: arms the send hold timer (once). `expired` runs when it expires while the
 * output is still blocked; the queue's onDrained stops it (connection.ts stopSendHold).
 */
export function armSendHold(conn: Conn, clock: Clock, seconds: number, expired: () => void): void {
  if (conn.sendHold || conn.discarded) return;
  conn.sendHold = clock.setTimer(seconds * 1000, () => {
    conn.sendHold = undefined;
    if (conn.out?.isBlocked) expired();
  });
}
