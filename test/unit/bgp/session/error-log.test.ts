// Rate-limited error logging on the fake clock: every occurrence counted, a few lines per reason per
// interval, one summary line for what was held back.
import { Writable } from 'node:stream';
import { createLogger } from '../../../../src/log/index.ts';
import { describe, expect, it } from 'vitest';
import { ErrorLog } from '../../../../src/bgp/session/error-log.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info' }, stream) };
}

const flushed = () => new Promise((r) => setImmediate(r));

describe('ErrorLog', () => {
  it('logs `burst` lines per reason per interval, counts all, summarizes the rest at the interval end', async () => {
    const clock = new FakeClock();
    const { lines, log } = capture();
    const counted = new Map<string, number>();
    const suppressed = new Map<string, number>();
    const e = new ErrorLog(
      log,
      clock,
      {
        count: (r) => counted.set(r, (counted.get(r) ?? 0) + 1),
        suppressed: (r) => suppressed.set(r, (suppressed.get(r) ?? 0) + 1),
      },
      { burst: 3, intervalMs: 10_000 },
    );
    for (let i = 0; i < 10_000; i++)
      e.report('treat-as-withdraw', { event: 'treat-as-withdraw', i }, 'malformed UPDATE');
    for (let i = 0; i < 2; i++) e.report('malformed-3-1', { event: 'decode-error' }, 'malformed message');
    await flushed();
    expect(lines.map((l) => [l['reason'], l['i']])).toEqual([
      ['treat-as-withdraw', 0],
      ['treat-as-withdraw', 1],
      ['treat-as-withdraw', 2],
      ['malformed-3-1', undefined],
      ['malformed-3-1', undefined],
    ]);
    expect(counted).toEqual(
      new Map([
        ['treat-as-withdraw', 10_000],
        ['malformed-3-1', 2],
      ]),
    );
    expect(suppressed).toEqual(new Map([['treat-as-withdraw', 9_997]]));
    clock.advance(10_000);
    await flushed();
    expect(lines.slice(5)).toEqual([
      expect.objectContaining({ event: 'log-suppressed', reason: 'treat-as-withdraw', suppressed: 9_997 }),
    ]);
    // A new interval: lines again, then nothing more to summarize.
    e.report('treat-as-withdraw', { i: 'again' }, 'malformed UPDATE');
    clock.advance(60_000);
    await flushed();
    expect(lines.length).toBe(7);
    expect(lines[6]).toMatchObject({ reason: 'treat-as-withdraw', i: 'again' });
    expect(clock.armed).toBe(0);
  });

  it('lines held back still go out at debug level', async () => {
    const clock = new FakeClock();
    const { lines, log } = capture();
    log.level = 'debug';
    const e = new ErrorLog(log, clock, { count: () => {} }, { burst: 1, intervalMs: 60_000 });
    for (let i = 0; i < 3; i++) e.report('treat-as-withdraw', { i }, 'malformed UPDATE');
    await flushed();
    expect(lines.map((l) => [l['level'], l['i'], l['rateLimited']])).toEqual([
      [40, 0, undefined],
      [20, 1, true],
      [20, 2, true],
    ]);
    e.flush();
  });

  it('flush() logs what is held back and leaves no timer', async () => {
    const clock = new FakeClock();
    const { lines, log } = capture();
    const e = new ErrorLog(log, clock, { count: () => {} }, { burst: 1, intervalMs: 60_000 });
    for (let i = 0; i < 5; i++) e.report('route-refresh-family-not-negotiated', {}, 'ignored');
    e.flush();
    await flushed();
    expect(lines.map((l) => l['suppressed'])).toEqual([undefined, 4]);
    expect(clock.armed).toBe(0);
  });
});
