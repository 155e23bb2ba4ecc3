// An HTTP/1.1 message body as it arrives (RFC 9112 §6-7): a known length, chunked, or everything until the
// connection closes. push() takes the bytes after the head, returns the body bytes in them and whether the
// body ended; what follows the end (the next message on a kept-alive connection) is left in `rest`.
import { HttpError } from './errors.ts';
import type { Head, ResponseHead } from './head.ts';

export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** How a response's body is framed (RFC 9112 §6.3). `headRequest`: the request was HEAD. */
export function responseFraming(head: ResponseHead, headRequest: boolean): Framing {
  if (headRequest || (head.status >= 100 && head.status < 200) || head.status === 204 || head.status === 304)
    return { kind: 'none' };
  return framing(head, { kind: 'close' });
}

/** How a request's body is framed: without Content-Length or Transfer-Encoding it has none. */
export function requestFraming(head: Head): Framing {
  return framing(head, { kind: 'none' });
}

function framing(head: Head, otherwise: Framing): Framing {
  const te = head.headers.get('transfer-encoding');
  if (te !== undefined) {
    const codings = te
      .toLowerCase()
      .split(',')
      .map((c) => c.trim());
    if (codings.length !== 1 || codings[0] !== 'chunked')
      throw new HttpError('unsupported', `Transfer-Encoding ${JSON.stringify(te.slice(0, 60))}: only chunked is read`);
    if (head.headers.has('content-length'))
      throw new HttpError('bad-head', 'both Transfer-Encoding and Content-Length (RFC 9112 §6.3: a smuggling sign)');
    return { kind: 'chunked' };
  }
  const length = head.headers.get('content-length');
  if (length !== undefined) return Number(length) === 0 ? { kind: 'none' } : { kind: 'length', length: Number(length) };
  return otherwise;
}

export interface Pushed {
  data: Buffer[];
  done: boolean;
  /** Bytes past the body's end (only when done). */
  rest: Buffer;
}

const EMPTY = Buffer.alloc(0);
/** A chunk-size line or a trailer line longer than this is refused. */
const MAX_LINE = 4096;

export class BodyReader {
  readonly #framing: Framing;
  #left: number; // length: bytes still to come; chunked: bytes left of the current chunk's data
  #state: 'size' | 'data' | 'data-end' | 'trailer' | 'done';
  #line = ''; // a chunk-size or trailer line split across pushes

  constructor(framing: Framing) {
    this.#framing = framing;
    this.#left = framing.kind === 'length' ? framing.length : 0;
    this.#state = framing.kind === 'none' ? 'done' : framing.kind === 'chunked' ? 'size' : 'data';
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** The connection ended: fine for a body read until close; for any other an incomplete body. */
  end(): void {
    if (this.#state === 'done') return;
    if (this.#framing.kind === 'close') {
      this.#state = 'done';
      return;
    }
    throw new HttpError(
      'closed',
      `connection closed ${this.#framing.kind === 'length' ? `${this.#left} bytes` : 'chunks'} before the body's end`,
    );
  }

  push(buf: Buffer): Pushed {
    const data: Buffer[] = [];
    let i = 0;
    while (i < buf.length && this.#state !== 'done') {
      if (this.#framing.kind === 'close') {
        data.push(i === 0 ? buf : buf.subarray(i));
        i = buf.length;
      } else if (this.#framing.kind === 'length' || this.#state === 'data') {
        const n = Math.min(this.#left, buf.length - i);
        data.push(buf.subarray(i, i + n));
        i += n;
        this.#left -= n;
        if (this.#left === 0) this.#state = this.#framing.kind === 'length' ? 'done' : 'data-end';
      } else {
        const nl = buf.indexOf(0x0a, i);
        const part = buf.toString('latin1', i, nl < 0 ? buf.length : nl);
        if (this.#line.length + part.length > MAX_LINE)
          throw new HttpError(
            'bad-body',
            `a chunk ${this.#state === 'trailer' ? 'trailer' : 'size'} line over ${MAX_LINE} bytes`,
          );
        this.#line += part;
        if (nl < 0) {
          i = buf.length;
          break;
        }
        i = nl + 1;
        const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
        this.#line = '';
        this.#takeLine(line);
      }
    }
    return { data, done: this.#state === 'done', rest: i < buf.length ? buf.subarray(i) : EMPTY };
  }

  #takeLine(line: string): void {
    if (this.#state === 'data-end') {
      if (line !== '') throw new HttpError('bad-body', 'chunk data longer than its size');
      this.#state = 'size';
    } else if (this.#state === 'size') {
      const m = /^([0-9A-Fa-f]{1,12})[ \t]*(;.*)?$/.exec(line);
      if (!m) throw new HttpError('bad-body', `chunk size line ${JSON.stringify(line.slice(0, 40))}`);
      this.#left = parseInt(m[1]!, 16);
      this.#state = this.#left === 0 ? 'trailer' : 'data';
    } else if (line === '') this.#state = 'done'; // the empty line after the trailer fields
  }
}
