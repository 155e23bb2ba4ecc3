// The replay window's bitmap ring against a plain model (every counter ever accepted, and the highest):
// a counter is accepted once, and refused once it is SIZE or more below the highest.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../helpers/memory-network.ts';
import { ReplayWindow } from '../../../src/memberlist/replay-window.ts';

const SIZE = ReplayWindow.SIZE;

describe('ReplayWindow', () => {
  it('accepts each counter once, in order and out of order', () => {
    const w = new ReplayWindow();
    expect(w.max).toBe(-1);
    expect(w.accept(0)).toBe(true);
    expect(w.accept(0)).toBe(false);
    expect(w.accept(5)).toBe(true);
    expect(w.accept(3)).toBe(true);
    expect(w.accept(3)).toBe(false);
    expect(w.accept(4)).toBe(true);
    expect(w.accept(5)).toBe(false);
    expect(w.max).toBe(5);
  });

  it('refuses a counter SIZE or more below the highest, accepts one just inside', () => {
    const w = new ReplayWindow();
    expect(w.accept(10_000)).toBe(true);
    expect(w.accept(10_000 - SIZE)).toBe(false);
    expect(w.accept(10_000 - SIZE + 1)).toBe(true);
    expect(w.accept(10_000 - SIZE + 1)).toBe(false);
  });

  it('a jump of SIZE or more forgets the old bits; a smaller one clears only the slots it passes', () => {
    const w = new ReplayWindow();
    for (let c = 0; c < 100; c++) expect(w.accept(c)).toBe(true);
    // 99 + SIZE reuses the slot of 99: the ring must not still say "seen".
    expect(w.accept(99 + SIZE)).toBe(true);
    expect(w.accept(99 + SIZE - 1)).toBe(true);
    expect(w.accept(99 + 3 * SIZE)).toBe(true);
    expect(w.accept(99 + 3 * SIZE - 5)).toBe(true);
    expect(w.accept(99 + 3 * SIZE - 5)).toBe(false);
  });

  it('agrees with a model on random traffic (reordering, duplicates, gaps), from 0 and from near 2^32', () => {
    for (const start of [0, 0xffffffff - 50_000]) {
      const random = seededRandom(start + 7);
      const w = new ReplayWindow();
      const seen = new Set<number>();
      let max = -1;
      let next = start;
      for (let i = 0; i < 40_000; i++) {
        const r = random();
        let c: number;
        if (r < 0.6) c = next++;
        else if (r < 0.8) c = Math.max(start, next - 1 - Math.floor(random() * SIZE * 1.5));
        else if (r < 0.98) c = Math.max(start, next - 1 - Math.floor(random() * 8));
        else c = next += Math.floor(random() * SIZE * 2);
        const want = c > max - SIZE && !seen.has(c);
        expect(w.accept(c), `counter ${c} (highest ${max})`).toBe(want);
        if (want) seen.add(c);
        max = Math.max(max, c);
      }
      expect(w.max).toBe(max);
    }
  });
});
