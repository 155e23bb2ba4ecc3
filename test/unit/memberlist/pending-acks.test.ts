// PendingAcks against a Map model: probes by sequence number, many in flight (the ring grows), numbers
// wrapping past 2^32, lookups of numbers never set or from the wire (negative, fractional).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../helpers/memory-network.ts';
import { PendingAcks } from '../../../src/memberlist/core/pending-acks.ts';

describe('PendingAcks', () => {
  it('set, get, replace, delete; a number whose slot holds another is not found', () => {
    const p = new PendingAcks<{ v: number }>();
    p.set(1, { v: 1 });
    p.set(17, { v: 17 });
    expect(p.get(1)).toEqual({ v: 1 });
    expect(p.get(17)).toEqual({ v: 17 });
    expect(p.get(33)).toBeUndefined();
    p.set(1, { v: 2 });
    expect(p.get(1)).toEqual({ v: 2 });
    expect(p.size).toBe(2);
    p.delete(33);
    p.delete(1);
    p.delete(1);
    expect(p.get(1)).toBeUndefined();
    expect(p.size).toBe(1);
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 40]) expect(p.get(bad)).toBeUndefined();
    p.clear();
    expect(p.size).toBe(0);
    expect(p.get(17)).toBeUndefined();
  });

  it('agrees with a Map over a run of probes with up to 300 in flight, across the 2^32 wrap', () => {
    const random = seededRandom(11);
    const p = new PendingAcks<{ seq: number }>();
    const model = new Map<number, { seq: number }>();
    let seq = 0xffffffff - 5_000;
    for (let i = 0; i < 30_000; i++) {
      const inFlight = i < 15_000 ? 3 : 300;
      if (model.size < inFlight || random() < 0.5) {
        seq = (seq + 1) >>> 0;
        const v = { seq };
        p.set(seq, v);
        model.set(seq, v);
      } else {
        const keys = [...model.keys()];
        const k = random() < 0.7 ? keys[0]! : keys[Math.floor(random() * keys.length)]!;
        p.delete(k);
        model.delete(k);
      }
      if (i % 97 === 0) for (const [k, v] of model) expect(p.get(k)).toBe(v);
      expect(p.size).toBe(model.size);
      expect(p.get((seq + 1) >>> 0)).toBeUndefined();
    }
    for (const [k, v] of model) expect(p.get(k)).toBe(v);
  });
});
