import { describe, expect, it } from 'vitest';
import { OutageProbe } from '../../../src/lab/outage-probe.ts';

describe('OutageProbe.outage', () => {
  it('is the longest gap from the last success at or before the event to now', () => {
    const p = Object.create(OutageProbe.prototype) as OutageProbe;
    Object.defineProperty(p, 'samples', { value: { icmp: [0, 10, 20, 30, 35, 400, 410], tcp: [0, 10, 31, 500, 510] } });
    // A request in flight at 30 completed at 31 (tcp): the outage is still 31 → 500.
    expect(p.outage(30)).toEqual({ icmp: 365, tcp: 469 });
    expect(p.outage(1000)).toEqual({ icmp: undefined, tcp: undefined });
    expect(p.outage(-1)).toEqual({ icmp: undefined, tcp: undefined });
  });
});
