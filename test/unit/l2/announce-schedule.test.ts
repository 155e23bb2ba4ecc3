import { describe, expect, it } from 'vitest';
import {
  AnnounceSchedule,
  checkAnnounceConfig,
  defaultAnnounceConfig,
  type Announcement,
  type AnnounceConfig,
} from '../../../src/l2/core/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/** Drives a schedule from the FakeClock the way the shell does: one timer at nextWakeAt(). */
function driven(config: Partial<AnnounceConfig> = {}) {
  const clock = new FakeClock();
  const schedule = new AnnounceSchedule({ ...defaultAnnounceConfig(), ...config });
  const sent: (Announcement & { at: number })[] = [];
  let timer: { cancel(): void } | undefined;
  const arm = (): void => {
    timer?.cancel();
    const at = schedule.nextWakeAt();
    if (at === undefined || at === Infinity) return;
    timer = clock.setTimer(at - clock.now(), () => {
      for (const a of schedule.due(clock.now())) sent.push({ ...a, at: clock.now() });
      arm();
    });
  };
  const set = (desired: Record<string, string[]>): void => {
    const r = schedule.set(new Map(Object.entries(desired).map(([k, v]) => [k, new Set(v)])), clock.now());
    for (const a of r.gained) sent.push({ ...a, at: clock.now() });
    arm();
  };
  const conflict = (iface: string, ip: string): void => {
    const a = schedule.conflict(iface, ip, clock.now());
    if (a) sent.push({ ...a, at: clock.now() });
    arm();
  };
  return { clock, schedule, sent, set, conflict };
}

const ips = (n: number): string[] => Array.from({ length: n }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);

describe('AnnounceSchedule', () => {
  it('announces a gained IP at once, repeats more than 1 s apart, then refreshes periodically', () => {
    const d = driven({ refreshIntervalMs: 30_000 });
    d.set({ eth0: ['192.0.2.10'] });
    d.clock.advance(100_000);
    const times = d.sent.map((s) => [s.at, s.reason]);
    expect(times.slice(0, 5)).toEqual([
      [0, 'gained'],
      [1100, 'repeat'],
      [2200, 'repeat'],
      [32_200, 'refresh'],
      [62_200, 'refresh'],
    ]);
    for (let i = 1; i < 3; i++) expect(d.sent[i]!.at - d.sent[i - 1]!.at).toBeGreaterThan(1000);
  });
  it('refresh 0 stops after the repeats; a lost IP is no longer announced', () => {
    const d = driven({ refreshIntervalMs: 0 });
    d.set({ eth0: ['192.0.2.10', '192.0.2.11'] });
    d.clock.advance(500);
    d.set({ eth0: ['192.0.2.11'] });
    d.clock.advance(600_000);
    expect(d.sent.filter((s) => s.ip === '192.0.2.10').map((s) => s.reason)).toEqual(['gained']);
    expect(d.sent.filter((s) => s.ip === '192.0.2.11').map((s) => s.reason)).toEqual(['gained', 'repeat', 'repeat']);
    expect(d.schedule.nextWakeAt()).toBeUndefined();
  });
  it('set() is a desired state: the same set twice announces nothing new; moving interfaces re-announces', () => {
    const d = driven();
    d.set({ eth0: ['192.0.2.10'] });
    d.set({ eth0: ['192.0.2.10'] });
    expect(d.sent).toHaveLength(1);
    d.set({ eth1: ['192.0.2.10'] });
    expect(d.sent.map((s) => `${s.interface} ${s.reason}`)).toEqual(['eth0 gained', 'eth1 gained']);
  });
  it('1,000 IPs gained at once: every first announcement at once, repeats paced and still > 1 s apart', () => {
    const d = driven({ pacingBurst: 100, pacingIntervalMs: 10, refreshIntervalMs: 0 });
    d.set({ eth0: ips(1000) });
    expect(d.sent.filter((s) => s.at === 0)).toHaveLength(1000);
    d.clock.advance(10_000);
    const repeats = d.sent.filter((s) => s.reason === 'repeat');
    expect(repeats).toHaveLength(2000);
    const perSlot = new Map<number, number>();
    for (const r of repeats) perSlot.set(r.at, (perSlot.get(r.at) ?? 0) + 1);
    expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(100);
    const slots = [...perSlot.keys()].sort((a, b) => a - b);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(10);
    const byIp = new Map<string, number[]>();
    for (const s of d.sent) byIp.set(s.ip, [...(byIp.get(s.ip) ?? []), s.at]);
    for (const times of byIp.values()) {
      expect(times).toHaveLength(3);
      expect(times[1]! - times[0]!).toBeGreaterThan(1000);
      expect(times[2]! - times[1]!).toBeGreaterThan(1000);
    }
  });
  it('a move during pacing still sends the newly gained IP at once', () => {
    const d = driven({ pacingBurst: 10, pacingIntervalMs: 10 });
    d.set({ eth0: ips(500) });
    d.clock.advance(1105);
    d.set({ eth0: [...ips(500), '192.0.2.77'] });
    expect(d.sent.at(-1)).toMatchObject({ ip: '192.0.2.77', reason: 'gained', at: 1105 });
  });
  it('a conflict re-asserts at once, at most once per reassertIntervalMs, and restarts the repeats', () => {
    const d = driven({ refreshIntervalMs: 0 });
    d.set({ eth0: ['192.0.2.10'] });
    d.clock.advance(5000);
    d.conflict('eth0', '192.0.2.10');
    expect(d.sent.at(-1)).toMatchObject({ reason: 'reassert', at: 5000 });
    d.clock.advance(200);
    d.conflict('eth0', '192.0.2.10');
    expect(d.sent.at(-1)!.at).toBe(5000);
    d.clock.advance(10_000);
    expect(d.sent.filter((s) => s.at >= 5000).map((s) => [s.at, s.reason])).toEqual([
      [5000, 'reassert'],
      [6000, 'reassert'],
      [7100, 'repeat'],
      [8200, 'repeat'],
    ]);
    expect(d.schedule.conflict('eth0', '192.0.2.99', d.clock.now())).toBeUndefined();
  });
  it('rejects unusable configuration and addresses with errors naming the field', () => {
    expect(() => checkAnnounceConfig({ ...defaultAnnounceConfig(), repeats: -1 })).toThrow(/repeats/);
    expect(() => checkAnnounceConfig({ ...defaultAnnounceConfig(), pacingBurst: 0 })).toThrow(/pacingBurst/);
    expect(() => new AnnounceSchedule(defaultAnnounceConfig()).set(new Map([['eth0', new Set(['nope'])]]), 0)).toThrow(
      /"nope" on eth0/,
    );
  });
});
