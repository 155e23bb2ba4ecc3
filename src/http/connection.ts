// One client connection: sends a request, reads its response head and body, and says whether it can carry
// the next request (a complete body, no "Connection: close", nothing left over). One request at a time.
import type { Socket } from 'node:net';
import { BodyReader, responseFraming } from './body.ts';
import { HttpError } from './errors.ts';
import { MAX_HEAD_BYTES, headEnd, keepsAlive, parseResponseHead, type ResponseHead } from './head.ts';

export interface ResponseHandler {
  head(head: ResponseHead): void;
  data(chunk: Buffer): void;
  end(): void;
  error(err: Error): void;
}

export interface Exchange {
  method: string;
  /** The request's bytes: head and body. */
  bytes: Buffer;
  /** No byte from the server for this long fails the request. */
  timeoutMs: number;
  /** Names the request in error messages ("GET /api/v1/nodes"). */
  what: string;
  handler: ResponseHandler;
}

const EMPTY = Buffer.alloc(0);

export class ClientConnection {
  readonly socket: Socket;
  /** Completed exchanges: a reused connection may have been closed by the server while idle. */
  served = 0;
  #ex: Exchange | undefined;
  #received = false; // a byte of the current response arrived
  #buf: Buffer = EMPTY;
  #scanned = 0;
  #head: ResponseHead | undefined;
  #body: BodyReader | undefined;
  #gone = false;
  readonly #onFree: (c: ClientConnection) => void;
  readonly #onGone: (c: ClientConnection, err: Error | undefined, ex: Exchange | undefined, received: boolean) => void;

  constructor(
    socket: Socket,
    onFree: (c: ClientConnection) => void,
    onGone: (c: ClientConnection, err: Error | undefined, ex: Exchange | undefined, received: boolean) => void,
  ) {
    this.socket = socket;
    this.#onFree = onFree;
    this.#onGone = onGone;
    socket.on('data', (b: Buffer) => this.#data(b));
    socket.on('end', () => this.#ended());
    socket.on('error', (err) => this.#close(err));
    socket.on('close', () => this.#close(undefined));
    socket.on('timeout', () => {
      const ex = this.#ex;
      if (ex) this.#close(new HttpError('timeout', `${ex.what}: no answer in ${ex.timeoutMs} ms`));
      else this.#close(undefined); // idle too long
    });
  }

  send(ex: Exchange): void {
    this.#ex = ex;
    this.#received = false;
    this.#scanned = 0;
    this.#head = undefined;
    this.#body = undefined;
    this.socket.ref();
    this.socket.setTimeout(ex.timeoutMs);
    this.socket.write(ex.bytes);
  }

  /** Closes the connection; a request on it ends with `err` (an abort passes none: nothing more is said). */
  destroy(err?: Error): void {
    if (!err) this.#ex = undefined;
    this.#close(err);
  }

  #data(b: Buffer): void {
    const ex = this.#ex;
    if (!ex) {
      this.#close(undefined); // bytes nobody asked for: this connection cannot be trusted with a request
      return;
    }
    this.#received = true;
    try {
      this.#buf = this.#buf.length === 0 ? b : Buffer.concat([this.#buf, b]);
      while (this.#ex === ex && this.#buf.length > 0) {
        if (!this.#head) {
          const end = headEnd(this.#buf, this.#scanned);
          if (end < 0) {
            if (this.#buf.length > MAX_HEAD_BYTES)
              throw new HttpError('head-too-large', `response head over ${MAX_HEAD_BYTES} bytes`);
            this.#scanned = Math.max(0, this.#buf.length - 3);
            return;
          }
          const head = parseResponseHead(this.#buf, end);
          this.#buf = this.#buf.subarray(end);
          this.#scanned = 0;
          if (head.status < 200) continue; // 100 Continue and other interim answers: the real one follows
          this.#head = head;
          this.#body = new BodyReader(responseFraming(head, ex.method === 'HEAD'));
          ex.handler.head(head);
          if (this.#body.done) this.#finish(ex);
          continue;
        }
        const pushed = this.#body!.push(this.#buf);
        this.#buf = pushed.rest;
        for (const d of pushed.data) if (this.#ex === ex) ex.handler.data(d);
        if (pushed.done) this.#finish(ex);
      }
    } catch (err) {
      this.#close(err instanceof HttpError ? new HttpError(err.code, `${ex.what}: ${err.message}`) : (err as Error));
    }
  }

  #finish(ex: Exchange): void {
    if (this.#ex !== ex) return;
    this.#ex = undefined;
    const reusable = this.#buf.length === 0 && keepsAlive(this.#head!) && !this.#gone;
    ex.handler.end();
    if (!reusable) {
      this.#close(undefined);
      return;
    }
    this.served++;
    this.socket.setTimeout(0);
    this.socket.unref();
    this.#onFree(this);
  }

  #ended(): void {
    const ex = this.#ex;
    if (ex && this.#body) {
      try {
        this.#body.end();
        this.#finish(ex);
      } catch (err) {
        this.#close(new HttpError('closed', `${ex.what}: ${(err as Error).message}`));
      }
      return;
    }
    this.#close(ex ? new HttpError('closed', `${ex.what}: connection closed before an answer`) : undefined);
  }

  #close(err: Error | undefined): void {
    const ex = this.#ex;
    this.#ex = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    if (this.#gone) return;
    this.#gone = true;
    const why = ex ? (err ?? new HttpError('closed', `${ex.what}: connection closed before the answer's end`)) : err;
    this.#onGone(this, why, ex, this.#received);
  }
}
