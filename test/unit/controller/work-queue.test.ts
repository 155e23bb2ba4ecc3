import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/controller/work-queue.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('deduplicates keys waiting in the queue and keeps insertion order', async () => {
    const seen: string[] = [];
    const q = new WorkQueue({
      handler: async (k) => void seen.push(k),
      concurrency: 1,
      backoff: { baseMs: 10, maxMs: 100 },
      clock: new FakeClock(),
    });
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    expect(q.length).toBe(3);
    q.start();
    await q.idle();
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('never runs a key concurrently with itself and re-runs it once if it changed meanwhile', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const q = new WorkQueue({
      handler: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (calls === 1) await gate.promise;
        running--;
      },
      concurrency: 4,
      backoff: { baseMs: 10, maxMs: 100 },
      clock: new FakeClock(),
    });
    q.start();
    q.add('a');
    q.add('a');
    q.add('a');
    expect(q.inFlight).toBe(1);
    gate.resolve();
    await q.idle();
    expect(calls).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('runs different keys in parallel up to the concurrency', async () => {
    const gates = [deferred(), deferred(), deferred()];
    let i = 0;
    const q = new WorkQueue({
      handler: () => gates[i++]!.promise,
      concurrency: 2,
      backoff: { baseMs: 10, maxMs: 100 },
      clock: new FakeClock(),
    });
    q.start();
    q.add('a');
    q.add('b');
    q.add('c');
    expect(q.inFlight).toBe(2);
    expect(q.length).toBe(1);
    for (const g of gates) g.resolve();
    await q.idle();
    expect(i).toBe(3);
  });

  it('retries a failing key with growing backoff and forgets the failures after a success', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const errors: [string, number, number][] = [];
    const q = new WorkQueue({
      handler: async () => {
        attempts++;
        if (attempts <= 3) throw new Error(`attempt ${attempts} failed`);
      },
      concurrency: 1,
      backoff: { baseMs: 10, maxMs: 25 },
      clock,
      onError: (key, _err, failures, ms) => errors.push([key, failures, ms]),
    });
    q.start();
    q.add('a');
    for (let round = 0; round < 3; round++) {
      await q.idle();
      expect(clock.armed).toBe(1);
      expect((clock.nextAt() as number) - clock.now()).toBe([10, 20, 25][round]);
      clock.runAll();
    }
    await q.idle();
    expect(attempts).toBe(4);
    expect(errors).toEqual([
      ['a', 1, 10],
      ['a', 2, 20],
      ['a', 3, 25],
    ]);
    expect(clock.armed).toBe(0);
  });

  it('stop cancels pending retries', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({
      handler: async () => {
        throw new Error('boom');
      },
      concurrency: 1,
      backoff: { baseMs: 10, maxMs: 25 },
      clock,
    });
    q.start();
    q.add('a');
    await q.idle();
    expect(q.retrying).toBe(1);
    q.stop();
    expect(q.retrying).toBe(0);
    expect(clock.armed).toBe(0);
  });

  it('idle() resolves after stop() once the in-flight key finishes, with keys still queued', async () => {
    const gate = deferred();
    const seen: string[] = [];
    const q = new WorkQueue({
      handler: async (k) => {
        seen.push(k);
        await gate.promise;
      },
      concurrency: 1,
      backoff: { baseMs: 10, maxMs: 100 },
      clock: new FakeClock(),
    });
    q.start();
    q.add('a');
    q.add('b');
    let idle = false;
    const waiting = q.idle().then(() => (idle = true));
    q.stop();
    await Promise.resolve();
    expect(idle).toBe(false); // 'a' is still in flight
    gate.resolve();
    await waiting;
    expect(seen).toEqual(['a']);
    expect(q.length).toBe(1); // 'b' waits for the next start()
    await q.idle(); // and a stopped queue with nothing in flight is idle at once
  });

  it('rejects a nonsensical concurrency', () => {
    expect(
      () =>
        new WorkQueue({
          handler: async () => {},
          concurrency: 0,
          backoff: { baseMs: 1, maxMs: 1 },
          clock: new FakeClock(),
        }),
    ).toThrow(/concurrency must be >= 1/);
  });
});
