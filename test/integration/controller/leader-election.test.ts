// Two and three controller replicas against the real API server: one Lease, one writer. The leader is
// frozen (SIGSTOP, like a long GC pause) past the lease duration and woken up, killed (SIGKILL), stopped
// gracefully (SIGTERM releases the Lease), and the API server is restarted under them — while Services
// keep arriving. Every status version the API server stores is watched: 0 duplicate IPs, 0 IPs replaced
// (flapping), every Service allocated; each takeover time is printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, waitFor, type ControllerChild } from '../../../src/lab/index.ts';
import { lbService, legacyConfigMap, setupEnv, type Env } from './fixture.ts';
import { trackStatuses, type StatusTracker } from './status-tracker.ts';

const NS = 'ha';
const CONFIG = legacyConfigMap(`
- name: main
  protocol: layer2
  addresses: [192.0.2.0/24, 198.51.100.0/24]
`);

let env: Env;
let tracker: StatusTracker;
let created = 0;
/** Every replica started, so the next test can take them down. */
const started: ControllerChild[] = [];

beforeAll(async () => {
  env = await setupEnv({ namespace: NS, config: CONFIG });
  tracker = trackStatuses(env.cluster.kubeconfigPath, NS);
});

afterAll(async () => {
  await tracker?.stop();
  await env?.stop();
});

async function isLeader(c: ControllerChild): Promise<boolean> {
  if (c.exited() !== undefined) return false;
  const r = await c.get('/metrics');
  return r.status === 200 && metricValue(r.body, 'ferrolb_controller_leader') === 1;
}

/** The one replica that leads (waits until exactly one of `among` says so). */
async function leaderOf(among: ControllerChild[], what: string): Promise<ControllerChild> {
  return waitFor(
    async () => {
      const flags = await Promise.all(among.map((c) => isLeader(c)));
      return flags.filter(Boolean).length === 1 ? among[flags.indexOf(true)] : undefined;
    },
    { what, timeoutMs: 120_000, intervalMs: 100, diagnostics: () => env.diagnostics() },
  );
}

async function create(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++)
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, `${prefix}-${created++}`) });
}

async function allAllocated(what: string): Promise<void> {
  await waitFor(
    () => {
      const cur = tracker.current();
      return cur.size === created && [...cur.values()].every((v) => v !== '');
    },
    {
      what,
      timeoutMs: 180_000,
      intervalMs: 100,
      diagnostics: () =>
        `${[...tracker.current()].filter(([, v]) => v === '').length} of ${created} without IP\n${env.diagnostics()}`,
    },
  );
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

describe('leader election', () => {
  it('two replicas: SIGSTOP/SIGCONT, SIGKILL, SIGTERM of the leader and an API server restart — one writer, no duplicate, no flap', async () => {
    const a = await env.startReplica('a');
    const b = await env.startReplica('b');
    started.push(a, b);
    const first = await leaderOf([a, b], 'one leader of two');
    await create(40, 'x');
    await allAllocated('40 Services allocated');

    // 1. Freeze the leader past the lease duration, with Services arriving; then wake it up.
    const standby = first === a ? b : a;
    first.kill('SIGSTOP');
    const frozenAt = performance.now();
    await create(10, 'stop');
    try {
      await leaderOf([standby], 'the standby to take over from the frozen leader');
      const took = performance.now() - frozenAt;
      await allAllocated('Services created during the freeze allocated by the new leader');
      console.log(
        `SIGSTOP: lease taken over ${seconds(took)} after the freeze (lease 6 s, renew deadline 4 s, retry 1 s); new Services allocated ${seconds(performance.now() - frozenAt)} after it`,
      );
    } finally {
      first.kill('SIGCONT');
    }
    await waitFor(async () => first.exited() === undefined && !(await isLeader(first)), {
      what: 'the woken leader to see it lost the Lease',
      timeoutMs: 60_000,
      diagnostics: () => env.diagnostics(),
    });
    await create(5, 'woken');
    await allAllocated('Services created after the old leader woke up');
    expect(await isLeader(first)).toBe(false);
    expect(first.exited()).toBeUndefined(); // it stands by again, it does not crash

    // 2. SIGKILL the leader; the other (the one woken up) takes over; a replacement joins as standby.
    const second = await leaderOf([a, b], 'one leader after the freeze');
    const other = second === a ? b : a;
    second.kill('SIGKILL');
    const killedAt = performance.now();
    await create(5, 'kill');
    await leaderOf([other], 'takeover after SIGKILL');
    console.log(`SIGKILL: lease taken over ${seconds(performance.now() - killedAt)} after the kill`);
    await allAllocated('Services created around the SIGKILL');
    const c = await env.startReplica('c');
    started.push(c);

    // 3. SIGTERM: the leader releases the Lease; the standby takes it within about a retry period.
    const third = await leaderOf([other, c], 'one leader before SIGTERM');
    const next = third === other ? c : other;
    third.kill('SIGTERM');
    const termAt = performance.now();
    expect(await third.waitExit()).toBe('exited with code 0');
    await leaderOf([next], 'takeover after SIGTERM (released Lease)');
    const released = performance.now() - termAt;
    console.log(`SIGTERM: released Lease taken ${seconds(released)} after the signal`);
    expect(released).toBeLessThan(6_000 + 60_000); // bounded wait only; the figure is printed above
    await create(5, 'term');
    await allAllocated('Services created after the graceful handover');
    const d = await env.startReplica('d');
    started.push(d);

    // 4. API server restart under both replicas (down longer than the renew deadline).
    await env.cluster.stopApiServer();
    await new Promise((r) => setTimeout(r, 6_000));
    await env.cluster.startApiServer();
    await leaderOf([next, d], 'one leader after the API server restart');
    await create(5, 'api');
    await allAllocated('Services created after the API server restart');

    console.log(
      `two replicas: ${created} Services; duplicate IPs seen: ${tracker.duplicates.length}; IPs replaced (flaps): ${tracker.flaps.length}`,
    );
    expect(tracker.duplicates).toEqual([]);
    expect(tracker.flaps).toEqual([]);
    for (const r of [next, d])
      expect(metricValue((await r.get('/metrics')).body, 'ferrolb_status_foreign_writes_total')).toBe(0);
  }, 900_000);

  it('three replicas: freeze the leader, kill the next one — still one writer, no duplicate, no flap', async () => {
    for (const c of started) c.kill('SIGKILL'); // the Lease stays held by a dead replica: the first leader takes it over
    const rs = [await env.startReplica('r1'), await env.startReplica('r2'), await env.startReplica('r3')];
    const l1 = await leaderOf(rs, 'one leader of three');
    await create(10, 'three');
    await allAllocated('Services allocated by the first of three');

    l1.kill('SIGSTOP');
    const frozenAt = performance.now();
    await create(5, 'three-stop');
    let l2: ControllerChild;
    try {
      l2 = await leaderOf(
        rs.filter((r) => r !== l1),
        'takeover from the frozen leader (three replicas)',
      );
      console.log(
        `three replicas, SIGSTOP: lease taken over ${seconds(performance.now() - frozenAt)} after the freeze`,
      );
      await allAllocated('Services created while the first leader was frozen');
    } finally {
      l1.kill('SIGCONT');
    }
    await waitFor(async () => l1.exited() === undefined && !(await isLeader(l1)), {
      what: 'the woken leader to see it lost the Lease',
      timeoutMs: 60_000,
      diagnostics: () => env.diagnostics(),
    });

    l2.kill('SIGKILL');
    const killedAt = performance.now();
    await create(5, 'three-kill');
    await leaderOf(
      rs.filter((r) => r !== l2),
      'takeover after SIGKILL (three replicas)',
    );
    console.log(`three replicas, SIGKILL: lease taken over ${seconds(performance.now() - killedAt)} after the kill`);
    await allAllocated('Services created around the SIGKILL (three replicas)');

    console.log(
      `three replicas: ${created} Services in all; duplicate IPs seen: ${tracker.duplicates.length}; IPs replaced (flaps): ${tracker.flaps.length}`,
    );
    expect(tracker.duplicates).toEqual([]);
    expect(tracker.flaps).toEqual([]);
  }, 900_000);
});
