// The output queue against a socket stand-in whose write() says false past a small buffer, as a real
// socket does when the peer stops reading: bulk output waits, control messages go first, the bound holds.
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { OutputQueue } from '../../../../src/bgp/session/output-queue.ts';

/** A socket whose "kernel" takes nothing until read(); write() is false at `hwm` buffered octets. */
class SlowSocket extends EventEmitter {
  buffered: Uint8Array[] = [];
  destroyed = false;
  readonly hwm: number;
  constructor(hwm: number) {
    super();
    this.hwm = hwm;
  }
  get writableLength(): number {
    return this.buffered.reduce((n, b) => n + b.length, 0);
  }
  write(b: Uint8Array): boolean {
    this.buffered.push(b);
    return this.writableLength < this.hwm;
  }
  /** The peer reads everything: returns what it got, then 'drain'. */
  read(): number[] {
    const got = this.buffered.map((b) => b[0] as number);
    this.buffered = [];
    this.emit('drain');
    return got;
  }
}

const msg = (tag: number, size = 100): Uint8Array => new Uint8Array(size).fill(tag);

function setup(hwm = 250, highWater = 1000) {
  const socket = new SlowSocket(hwm);
  const events: string[] = [];
  const q = new OutputQueue(socket as unknown as net.Socket, {
    highWater,
    onBlocked: () => events.push('blocked'),
    onDrained: () => events.push('drained'),
  });
  return { socket, q, events };
}

describe('OutputQueue', () => {
  it('writes through until the socket says false, then queues in order until drain', () => {
    const { socket, q, events } = setup();
    q.push(msg(1));
    q.push(msg(2));
    expect(events).toEqual([]);
    q.push(msg(3)); // 300 buffered: write() says false
    expect(events).toEqual(['blocked']);
    expect(q.isBlocked).toBe(true);
    q.push(msg(4));
    q.push(msg(5));
    expect(socket.buffered.length).toBe(3);
    expect(q.pending).toBe(500);
    expect(socket.read()).toEqual([1, 2, 3]);
    // The drain handed 4 and 5 to the socket; 200 < 250 so it is not blocked, and producers may go on.
    expect(events).toEqual(['blocked', 'drained']);
    expect(socket.read()).toEqual([4, 5]);
  });

  it('sends control messages ahead of queued bulk output, as whole messages', () => {
    const { socket, q } = setup();
    for (let i = 1; i <= 5; i++) q.push(msg(i));
    q.urgent(msg(9, 19)); // a KEEPALIVE
    expect(socket.read()).toEqual([1, 2, 3, 9]);
  });

  it('hasRoom turns false at the high-water mark (queued + socket buffer) and back after draining', () => {
    const { socket, q } = setup(250, 1000);
    let produced = 0;
    // A producer that only adds while there is room: what waits never passes high water + one batch.
    for (let i = 0; i < 100 && q.hasRoom; i++, produced++) q.push(msg(i % 200));
    expect(produced).toBe(10);
    expect(q.pending).toBe(1000);
    expect(q.hasRoom).toBe(false);
    socket.read();
    expect(q.hasRoom).toBe(true);
  });

  it('close() drops what is queued and ignores later writes', () => {
    const { socket, q, events } = setup();
    for (let i = 1; i <= 6; i++) q.push(msg(i));
    q.close();
    expect(q.pending).toBe(300); // only what the socket already holds
    q.push(msg(7));
    q.urgent(msg(8));
    expect(socket.read()).toEqual([1, 2, 3]);
    expect(events).toEqual(['blocked']); // no drained callback after close
  });
});
