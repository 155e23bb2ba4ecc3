import { describe, expect, it } from 'vitest';
import { backoffDelay, systemClock } from '../../../src/time/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

describe('backoffDelay', () => {
  it('doubles from the base and caps at the maximum', () => {
    const p = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 5, 100].map((f) => backoffDelay(p, f))).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
  });
  it('spreads by ±jitter with the injected random source', () => {
    const p = { baseMs: 1000, maxMs: 1000, jitter: 0.25 };
    expect(backoffDelay(p, 1, () => 0)).toBe(750);
    expect(backoffDelay(p, 1, () => 0.5)).toBe(1000);
    expect(backoffDelay(p, 1, () => 1)).toBe(1250);
    expect(backoffDelay(p, 1, () => Number.NaN)).toBe(1000);
  });
});

describe('FakeClock', () => {
  it('fires due timers in time order, ties in the order set, including timers set by timers', () => {
    const c = new FakeClock();
    const seen: string[] = [];
    c.setTimer(20, () => seen.push('b@' + c.now()));
    c.setTimer(10, () => {
      seen.push('a@' + c.now());
      c.setTimer(5, () => seen.push('c@' + c.now()));
    });
    c.setTimer(20, () => seen.push('d@' + c.now()));
    const x = c.setTimer(12, () => seen.push('never'));
    x.cancel();
    x.cancel();
    expect(c.armed).toBe(3);
    c.advance(19);
    expect(seen).toEqual(['a@10', 'c@15']);
    expect(c.now()).toBe(19);
    c.advance(1);
    expect(seen).toEqual(['a@10', 'c@15', 'b@20', 'd@20']);
    expect(c.armed).toBe(0);
    expect(c.nextAt()).toBeUndefined();
  });
  it('wallNow follows now from the epoch; runAll drains; a timer loop is caught', () => {
    const c = new FakeClock(1000);
    c.setTimer(50, () => {});
    expect(c.runAll()).toBe(50);
    expect(c.wallNow()).toBe(1050);
    const loop = (): void => void c.setTimer(0, loop);
    loop();
    expect(() => c.advance(1, 1000)).toThrow(/timer loop/);
  });
});

describe('systemClock', () => {
  it('is monotonic and its timers fire and cancel', async () => {
    const a = systemClock.now();
    let fired = 0;
    systemClock.setTimer(1, () => fired++).cancel();
    await new Promise<void>((resolve) => systemClock.setTimer(1, () => resolve(), { unref: true }));
    expect(systemClock.now()).toBeGreaterThanOrEqual(a);
    expect(fired).toBe(0);
    expect(Math.abs(systemClock.wallNow() - Date.now())).toBeLessThan(60_000);
  });
});
