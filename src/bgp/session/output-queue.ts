// What a session sends to one peer, with backpressure. socket.write() says false once the socket's own
// buffer is over its high-water mark (the kernel send buffer is full: the peer is not reading fast enough);
// from then on bulk output (UPDATEs, End-of-RIB, BoRR/EoRR) waits in this queue until 'drain', and
// producers of more bulk output (route refresh resends, Adj-RIB-Out diffs) ask `hasRoom` first and wait
// for onDrained, so what a slow or deaf peer costs us stays bounded (about `highWater` plus one batch).
// Control messages (KEEPALIVE, NOTIFICATION) are written at once, ahead of queued bulk output: whole
// messages only, so the stream stays well-formed, and a healthy-but-busy peer keeps getting KEEPALIVEs.
// Blocked/drained transitions drive the session's RFC 9687 SendHoldTimer.
import type net from 'node:net';

export interface OutputQueueOptions {
  /** Octets pending (queued here + buffered by the socket) at which `hasRoom` turns false. */
  highWater: number;
  /** socket.write() returned false: the peer stopped reading (start the send hold timer). */
  onBlocked: () => void;
  /** Everything queued went to the socket after a 'drain' (stop the send hold timer; produce more). */
  onDrained: () => void;
}

export class OutputQueue {
  private readonly socket: net.Socket;
  private readonly o: OutputQueueOptions;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private blocked = false;
  private closed = false;
  private readonly onDrain = (): void => this.flush();

  constructor(socket: net.Socket, o: OutputQueueOptions) {
    this.socket = socket;
    this.o = o;
    socket.on('drain', this.onDrain);
  }

  /** Bulk output, sent in order; held here while the socket is full. */
  push(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (!this.blocked && this.queue.length === 0) {
      this.write(bytes);
    } else {
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
    }
  }

  /** A control message: to the socket now, ahead of queued bulk output. */
  urgent(bytes: Uint8Array): void {
    if (this.closed) return;
    this.write(bytes);
  }

  /** Octets not yet handed to the kernel: queued here plus buffered in the socket. */
  get pending(): number {
    return this.queuedBytes + (this.socket.destroyed ? 0 : this.socket.writableLength);
  }

  /** Whether a producer may add bulk output now (else it waits for onDrained). */
  get hasRoom(): boolean {
    return !this.closed && this.pending < this.o.highWater;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Forgets everything queued (the connection is going away). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.socket.removeListener('drain', this.onDrain);
  }

  private write(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (!this.socket.write(bytes) && !this.blocked) {
      this.blocked = true;
      this.o.onBlocked();
    }
  }

  private flush(): void {
    if (this.closed) return;
    this.blocked = false;
    while (this.queue.length > 0) {
      const next = this.queue.shift() as Uint8Array;
      this.queuedBytes -= next.length;
      this.write(next);
      if (this.blocked) return;
    }
    this.o.onDrained();
  }
}
