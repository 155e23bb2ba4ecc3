// Stream framing for one TCP connection: bytes in, whole BGP messages out (RFC 4271 §4.1 header length).
// A bad marker or length is returned as the BgpError to answer with (1/1, 1/2); nothing is thrown.
// Reading is bounded: read() hands out at most a given number of frames and octets per call, so the
// session can yield to the event loop between batches (one peer's burst never starves the others) and
// keep what is left for its next turn.
import { frameLength } from '../codec/index.ts';
import type { BgpError } from '../errors.ts';
import { isBgpError } from '../errors.ts';

/** How much one read() may hand out. */
export interface ReadBudget {
  frames: number;
  bytes: number;
}

export interface ReadResult {
  /** The header error that ended reading (the reader is empty afterwards). */
  error?: BgpError;
  /** A complete frame is still buffered (the budget ran out, or onFrame said stop). */
  more: boolean;
}

const UNBOUNDED: ReadBudget = { frames: Infinity, bytes: Infinity };

export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  /** Start of the unread part of `buf`. */
  private off = 0;

  /** Appends received bytes (copied: the socket may reuse its chunk). */
  append(chunk: Uint8Array): void {
    const rest = this.buf.length - this.off;
    if (rest === 0) {
      this.buf = new Uint8Array(chunk);
    } else {
      const out = new Uint8Array(rest + chunk.length);
      out.set(this.buf.subarray(this.off), 0);
      out.set(chunk, rest);
      this.buf = out;
    }
    this.off = 0;
  }

  /**
   * Calls `onFrame` for each complete message, in order, while it returns true and the budget lasts
   * (the frame that exceeds the byte budget is still handed out: at least one frame per call).
   */
  read(budget: ReadBudget, onFrame: (frame: Uint8Array) => boolean): ReadResult {
    let frames = 0;
    let bytes = 0;
    try {
      for (;;) {
        const len = frameLength(this.buf, this.off);
        if (len === undefined || this.buf.length - this.off < len) return { more: false };
        if (frames >= budget.frames || (frames > 0 && bytes + len > budget.bytes)) return { more: true };
        const frame = this.buf.subarray(this.off, this.off + len);
        this.off += len;
        frames++;
        bytes += len;
        if (!onFrame(frame)) return { more: this.hasFrame() };
      }
    } catch (err) {
      this.clear();
      if (isBgpError(err)) return { error: err, more: false };
      throw err;
    } finally {
      this.compact();
    }
  }

  /**
   * Appends `chunk` and calls `onFrame` for each complete message, in order, while it returns true
   * (return false to stop, e.g. when the connection was closed meanwhile). Returns the header error
   * that ended reading, if any; after an error the reader is empty.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => boolean): BgpError | undefined {
    this.append(chunk);
    return this.read(UNBOUNDED, onFrame).error;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
    this.off = 0;
  }

  get buffered(): number {
    return this.buf.length - this.off;
  }

  private hasFrame(): boolean {
    try {
      const len = frameLength(this.buf, this.off);
      return len !== undefined && this.buf.length - this.off >= len;
    } catch {
      return true; // a header error: the next read() reports it
    }
  }

  /** Drops what was read, so a long-lived buffer never pins consumed bytes. */
  private compact(): void {
    if (this.off === 0) return;
    if (this.off >= this.buf.length) this.clear();
    else if (this.off > 65536 || this.off * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.off);
      this.off = 0;
    }
  }
}
