// HeapUpkeep's policy on a fake clock and a scripted heap: a collection at the first look, then only when
// the committed heap has grown by GROWTH_BYTES since the last collection (or since it shrank on its own);
// nothing at all without a collector; stop() ends the looks.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { HeapUpkeep } from '../../../src/speaker/heap-upkeep.ts';

const MiB = 1024 * 1024;

function rig(collector = true) {
  const clock = new FakeClock();
  const heap = { committed: 10 * MiB, afterCollect: 9 * MiB };
  const collected: Array<[number, number]> = [];
  const upkeep = new HeapUpkeep({
    clock,
    heapCommitted: () => heap.committed,
    collect: collector
      ? () => {
          heap.committed = heap.afterCollect;
        }
      : undefined,
    onCollect: (before, after) => collected.push([before / MiB, after / MiB]),
  });
  return { clock, heap, collected, upkeep };
}

describe('HeapUpkeep', () => {
  it('collects at the first look, then only after the heap grew by GROWTH_BYTES', () => {
    const r = rig();
    r.upkeep.start();
    r.clock.advance(HeapUpkeep.CHECK_MS - 1);
    expect(r.collected).toEqual([]);
    r.clock.advance(1);
    expect(r.collected).toEqual([[10, 9]]);
    r.heap.committed = 9 * MiB + HeapUpkeep.GROWTH_BYTES - 1;
    r.clock.advance(HeapUpkeep.CHECK_MS * 3);
    expect(r.collected).toHaveLength(1);
    r.heap.committed = 9 * MiB + HeapUpkeep.GROWTH_BYTES;
    r.heap.afterCollect = 8.75 * MiB;
    r.clock.advance(HeapUpkeep.CHECK_MS);
    expect(r.collected).toEqual([
      [10, 9],
      [9 + HeapUpkeep.GROWTH_BYTES / MiB, 8.75],
    ]);
  });

  it('follows a heap that shrank on its own down, and measures growth from there', () => {
    const r = rig();
    r.upkeep.check();
    r.heap.committed = 8 * MiB;
    r.upkeep.check();
    r.heap.committed = 8 * MiB + HeapUpkeep.GROWTH_BYTES;
    r.heap.afterCollect = 8 * MiB;
    r.upkeep.check();
    expect(r.collected).toEqual([
      [10, 9],
      [8 + HeapUpkeep.GROWTH_BYTES / MiB, 8],
    ]);
  });

  it('leaves a heap above MAX_HEAP_BYTES to V8, and collects again at the first look back below it', () => {
    const r = rig();
    r.upkeep.check();
    r.heap.committed = HeapUpkeep.MAX_HEAP_BYTES + 1;
    r.upkeep.check();
    r.upkeep.check();
    expect(r.collected).toEqual([[10, 9]]);
    r.heap.committed = 20 * MiB;
    r.heap.afterCollect = 19 * MiB;
    r.upkeep.check();
    expect(r.collected).toEqual([
      [10, 9],
      [20, 19],
    ]);
  });

  it('without a collector it is disabled and sets no timer; stop() ends the looks', () => {
    const off = rig(false);
    expect(off.upkeep.enabled).toBe(false);
    off.upkeep.start();
    expect(off.clock.armed).toBe(0);
    off.upkeep.check();
    expect(off.collected).toEqual([]);

    const on = rig();
    on.upkeep.start();
    on.upkeep.start();
    expect(on.clock.armed).toBe(1);
    on.upkeep.stop();
    expect(on.clock.armed).toBe(0);
    on.clock.advance(HeapUpkeep.CHECK_MS * 2);
    expect(on.collected).toEqual([]);
  });
});
