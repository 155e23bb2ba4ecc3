// Where log lines go. A file descriptor is written with blocking writeSync calls until the whole line is
// out, so a `fatal` line logged just before process.exit is never lost: process.stdout/stderr.write is
// NOT enough on a pipe (measured: a 500 kB line then process.exit delivered 64-128 kB through a pipe, the
// rest was queued and dropped). No worker thread, no buffer.
import { writeSync } from 'node:fs';

/** Anything that takes one complete line (with its "\n") at a time; tests collect the lines. */
export interface LogDestination {
  write(line: string): unknown;
}

/** Standard output (fd 1): the default, for programs whose logs the container runtime collects. */
export const stdoutDestination: LogDestination = fdDestination(1);

/** A file descriptor (2 for the CLIs, whose stdout carries their output), written synchronously. */
export function fdDestination(fd: number): LogDestination {
  return { write: (line) => writeFully(fd, Buffer.from(line, 'utf8')) };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function writeFully(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      // A descriptor someone made non-blocking: wait 1 ms for the reader, as a blocking write would.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
      // Anything else (EPIPE: the reader is gone; EBADF): the line cannot be delivered, and a log write
      // must not take the program down with it.
      else return;
    }
  }
}
