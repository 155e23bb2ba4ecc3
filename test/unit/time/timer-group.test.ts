// TimerGroup: timers fire once, in time order, leave the group when they fire or are cancelled, and
// cancelAll stops every pending one (including those set by timers that fired) and nothing else.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { TimerGroup } from '../../../src/time/index.ts';

describe('TimerGroup', () => {
  it('fires each timer once at its time; size counts the pending ones', () => {
    const clock = new FakeClock();
    const g = new TimerGroup(clock);
    const fired: string[] = [];
    g.set(30, () => fired.push('c'));
    g.set(10, () => fired.push('a'));
    const b = g.set(20, () => fired.push('b'));
    expect(g.size).toBe(3);
    clock.advance(10);
    expect(fired).toEqual(['a']);
    expect(g.size).toBe(2);
    b.cancel();
    b.cancel();
    expect(g.size).toBe(1);
    clock.advance(100);
    expect(fired).toEqual(['a', 'c']);
    expect(g.size).toBe(0);
  });

  it('cancel after firing does nothing; a timer set from a firing one joins the group', () => {
    const clock = new FakeClock();
    const g = new TimerGroup(clock);
    const fired: number[] = [];
    const t = g.set(5, () => {
      fired.push(1);
      g.set(5, () => fired.push(2));
    });
    clock.advance(5);
    t.cancel();
    expect(g.size).toBe(1);
    clock.advance(5);
    expect(fired).toEqual([1, 2]);
    expect(g.size).toBe(0);
  });

  it('cancelAll cancels every pending timer, from the head, middle and tail of the list', () => {
    const clock = new FakeClock();
    const g = new TimerGroup(clock);
    const other = new TimerGroup(clock);
    const fired: number[] = [];
    const ts = [1, 2, 3, 4, 5].map((i) => g.set(i * 10, () => fired.push(i)));
    other.set(25, () => fired.push(99));
    ts[0]!.cancel();
    ts[2]!.cancel();
    ts[4]!.cancel();
    expect(g.size).toBe(2);
    g.cancelAll();
    expect(g.size).toBe(0);
    ts[1]!.cancel();
    clock.advance(100);
    expect(fired).toEqual([99]);
    // The group is usable again after cancelAll.
    g.set(1, () => fired.push(7));
    clock.advance(1);
    expect(fired).toEqual([99, 7]);
    expect(clock.armed).toBe(0);
  });
});
