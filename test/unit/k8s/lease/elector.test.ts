// The Lease election on a FakeClock, two or three candidates sharing one in-memory Lease with
// resourceVersion preconditions (a stale write gets 409, like the API server).
import { describe, expect, it } from 'vitest';
import { LeaderElector, type LeaseApi, type Leadership } from '../../../../src/k8s/lease/elector.ts';
import { checkElectionConfig, decide, microTime, type LeaseRecord } from '../../../../src/k8s/lease/rules.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';

const quiet = { info: () => {}, warn: () => {} };
const CONFIG = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

class MemoryLease {
  record: LeaseRecord | undefined;
  rv = 0;
  writes: { at: number; who: string; record: LeaseRecord }[] = [];
  readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  /** The API as one candidate sees it; `frozen()` true: its calls never complete (a SIGSTOPped process). */
  api(frozen: () => boolean = () => false): LeaseApi {
    const hang = <T>(): Promise<T> => new Promise<T>(() => {});
    const conflict = () => Object.assign(new Error('HTTP 409'), { code: 409 });
    return {
      get: async () =>
        frozen() ? hang() : this.record ? { record: { ...this.record }, resourceVersion: String(this.rv) } : undefined,
      create: async (record) => {
        if (frozen()) return hang();
        if (this.record) throw conflict();
        this.record = { ...record };
        this.writes.push({ at: this.clock.now(), who: record.holderIdentity, record: { ...record } });
        return String(++this.rv);
      },
      update: async (record, rv) => {
        if (frozen()) return hang();
        if (rv !== String(this.rv)) throw conflict();
        this.record = { ...record };
        this.writes.push({ at: this.clock.now(), who: record.holderIdentity, record: { ...record } });
        return String(++this.rv);
      },
    };
  }
}

function candidate(clock: FakeClock, lease: MemoryLease, identity: string, frozen?: () => boolean) {
  const events: { at: number; what: string; l?: Leadership }[] = [];
  const e = new LeaderElector({
    api: lease.api(frozen),
    config: { ...CONFIG, identity },
    clock,
    random: () => 0.5,
    log: quiet,
    onStartedLeading: (l) => events.push({ at: clock.now(), what: 'started', l }),
    onStoppedLeading: (why) => events.push({ at: clock.now(), what: `stopped: ${why}` }),
  });
  return { e, events };
}

/** Advances in 50 ms steps, letting the promises of each step settle. */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    clock.advance(50);
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

describe('LeaderElector', () => {
  it('one leader; a frozen leader stops writing before a standby can take over; the standby fences (takeover)', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(clock);
    let frozenA = false;
    const a = candidate(clock, lease, 'a', () => frozenA);
    const b = candidate(clock, lease, 'b');
    a.e.start();
    await run(clock, 100);
    b.e.start();
    await run(clock, 60_000);
    expect(a.events.map((x) => x.what)).toEqual(['started']);
    expect(a.events[0]!.l).toMatchObject({ term: 0, takeover: false, previousHolder: '' });
    expect(b.events).toEqual([]);
    expect(a.e.canWrite()).toBe(true);
    // Renewed every retry period by a, never taken by b.
    expect(lease.writes.every((w) => w.who === 'a')).toBe(true);
    expect(lease.writes.length).toBeGreaterThan(25);

    frozenA = true; // its renews never come back
    const frozenAt = clock.now();
    await run(clock, 30_000);
    const lost = a.events.find((x) => x.what.startsWith('stopped'));
    const took = b.events.find((x) => x.what === 'started');
    expect(lost).toBeDefined();
    expect(took).toBeDefined();
    expect(a.e.canWrite()).toBe(false);
    // a stopped writing before b became leader: renew deadline < lease duration, both from a's last renew.
    expect(lost!.at).toBeLessThan(took!.at);
    expect(lost!.at - frozenAt).toBeLessThanOrEqual(CONFIG.renewDeadlineMs);
    expect(took!.at - frozenAt).toBeGreaterThanOrEqual(CONFIG.leaseDurationMs - CONFIG.retryPeriodMs);
    expect(took!.l).toMatchObject({ term: 1, takeover: true, previousHolder: 'a', identity: 'b' });
    console.log(
      `elector: lease taken over ${((took!.at - frozenAt) / 1000).toFixed(1)} s after the leader froze (lease duration 15 s); the old leader stopped writing after ${((lost!.at - frozenAt) / 1000).toFixed(1)} s`,
    );
  });

  it('release on graceful stop: another candidate acquires within about one retry period, not a lease duration', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(clock);
    const a = candidate(clock, lease, 'a');
    const b = candidate(clock, lease, 'b');
    a.e.start();
    await run(clock, 100);
    b.e.start();
    await run(clock, 5_000);
    const stopAt = clock.now();
    await a.e.stop({ release: true });
    expect(lease.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    await run(clock, 10_000);
    const took = b.events.find((x) => x.what === 'started')!;
    expect(took.at - stopAt).toBeLessThanOrEqual(CONFIG.retryPeriodMs * 2.2 + 100);
    expect(took.l).toMatchObject({ term: 1, takeover: false, previousHolder: '' });
    expect(a.events.map((x) => x.what)).toEqual(['started']); // a stop is not a loss
  });

  it('three candidates: exactly one leads at any time; the Lease changes holder only after expiry', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease(clock);
    const frozen = new Set<string>();
    const cs = ['a', 'b', 'c'].map((id) => ({ id, ...candidate(clock, lease, id, () => frozen.has(id)) }));
    for (const c of cs) c.e.start();
    for (let round = 0; round < 4; round++) {
      await run(clock, 20_000);
      const writers = cs.filter((c) => c.e.canWrite());
      expect(writers).toHaveLength(1);
      frozen.add(writers[0]!.id); // freeze whoever leads; the next must take over
      if (frozen.size === 3) frozen.clear();
    }
    const terms = lease.writes.map((w) => w.record.leaseTransitions);
    expect(terms).toEqual([...terms].sort((x, y) => x - y)); // leaseTransitions never goes back
  });

  it('client-go configuration rules', () => {
    expect(checkElectionConfig({ identity: 'x', ...CONFIG })).toEqual([]);
    expect(
      checkElectionConfig({ identity: 'x', leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).toHaveLength(1);
    expect(
      checkElectionConfig({ identity: 'x', leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }),
    ).toHaveLength(1);
    expect(
      checkElectionConfig({ identity: '', leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 0 }).length,
    ).toBe(3);
  });

  it('decide: renew keeps acquireTime and transitions; a takeover increments transitions; MicroTime format', () => {
    const cfg = { identity: 'b', ...CONFIG };
    const held: LeaseRecord = {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: 'T0',
      renewTime: 'T1',
      leaseTransitions: 3,
    };
    expect(decide(cfg, held, { record: held, at: 0 }, 14_999, 0)).toMatchObject({
      kind: 'wait',
      holder: 'a',
      expiresInMs: 1,
    });
    expect(decide(cfg, held, { record: held, at: 0 }, 15_000, 0)).toMatchObject({
      kind: 'write',
      takeover: true,
      record: { holderIdentity: 'b', leaseTransitions: 4 },
    });
    const mine = { ...held, holderIdentity: 'b' };
    expect(decide(cfg, mine, { record: mine, at: 0 }, 1, 0)).toMatchObject({
      kind: 'write',
      takeover: false,
      record: { acquireTime: 'T0', leaseTransitions: 3 },
    });
    expect(microTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123))).toBe('2026-01-01T00:00:00.123000Z');
  });
});
