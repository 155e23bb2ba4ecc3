import { describe, expect, it } from 'vitest';
import { MultiPingProbe, OutageProbe, gapAfter } from '../../../src/lab/outage-probe.ts';

describe('OutageProbe.outage', () => {
  it('is the longest gap from the last success at or before the event to now', () => {
    const p = Object.create(OutageProbe.prototype) as OutageProbe;
    Object.defineProperty(p, 'samples', { value: { icmp: [0, 10, 20, 30, 35, 400, 410], tcp: [0, 10, 31, 500, 510] } });
    // A request in flight at 30 completed at 31 (tcp): the outage is still 31 → 500.
    expect(p.outage(30)).toEqual({ icmp: 365, tcp: 469 });
    expect(p.outage(1000)).toEqual({});
    expect(p.outage(-1)).toEqual({});
  });
});

describe('gapAfter', () => {
  it('is undefined until a success after the event arrived (an outage still under way is not measured)', () => {
    expect(gapAfter([0, 16, 32], 40)).toBeUndefined();
    expect(gapAfter([0, 16, 32, 520], 40)).toBe(488);
    expect(gapAfter([], 0)).toBeUndefined();
  });
});

describe('MultiPingProbe.outage', () => {
  it('is the longest per-IP outage, undefined while one IP has not answered again', () => {
    const p = Object.create(MultiPingProbe.prototype) as MultiPingProbe;
    const samples = new Map([
      ['198.51.100.1', [0, 50, 100, 600, 650]],
      ['198.51.100.2', [0, 50, 100, 700]],
    ]);
    Object.defineProperty(p, 'samples', { value: samples });
    expect(p.outage(120)).toBe(600);
    samples.set('198.51.100.3', [0, 50, 100]);
    expect(p.outage(120)).toBeUndefined();
  });
});
