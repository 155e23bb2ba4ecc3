// Stream framing for one TCP connection: bytes in, whole BGP messages out (RFC 4271 §4.1 header length).
// A bad marker or length is returned as the BgpError to answer with (1/1, 1/2); nothing is thrown.
import { frameLength } from '../codec/index.ts';
import type { BgpError } from '../errors.ts';
import { isBgpError } from '../errors.ts';

export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);

  /**
   * Appends `chunk` and calls `onFrame` for each complete message, in order, while it returns true
   * (return false to stop, e.g. when the connection was closed meanwhile). Returns the header error
   * that ended reading, if any; after an error the reader is empty.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => boolean): BgpError | undefined {
    this.buf = this.buf.length === 0 ? new Uint8Array(chunk) : concat(this.buf, chunk);
    let off = 0;
    try {
      for (;;) {
        const len = frameLength(this.buf, off);
        if (len === undefined || this.buf.length - off < len) break;
        const frame = this.buf.subarray(off, off + len);
        off += len;
        if (!onFrame(frame)) break;
      }
    } catch (err) {
      this.buf = new Uint8Array(0);
      if (isBgpError(err)) return err;
      throw err;
    }
    this.buf = this.buf.slice(off);
    return undefined;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
  }

  get buffered(): number {
    return this.buf.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
