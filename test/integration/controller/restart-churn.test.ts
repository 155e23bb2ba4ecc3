// 200 Services churning (create/delete) while the controller is SIGKILLed and restarted 10 times, and
// surviving Services are edited into requests that cannot be met (a bad loadBalancerIPs annotation, an
// unknown pool, an IP another Service holds) just before each kill: no surviving Service's IP changes,
// no IP is ever held twice, and the edited ones get the AllocationFailed Event a running controller gives.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convergeChurn, duplicates, type ChurnState } from './churn-check.ts';
import { eventsFor, lbService, legacyConfigMap, setupEnv, type Env } from './fixture.ts';

const NS = 'churn';
const INITIAL = 200;
const ROUNDS = 10;
const PER_ROUND = 10; // deletes and creates per round

const CONFIG = legacyConfigMap(`
- name: main
  protocol: layer2
  addresses: [192.0.2.0/24, 198.51.100.0/25]
`);

let env: Env;

beforeAll(async () => {
  env = await setupEnv({ namespace: NS, config: CONFIG });
});

afterAll(async () => {
  await env?.stop();
});

/** Deterministic pseudo-random choice (a seeded LCG), so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const converge = (state: ChurnState, what: string): Promise<Map<string, string>> =>
  convergeChurn(env, NS, state, what, 90_000);

describe('SIGKILL restarts during churn', () => {
  it(`${INITIAL} Services, ${ROUNDS} kills: 0 IP changes, 0 duplicates`, async () => {
    const random = rng(42);
    const state: ChurnState = { firstSeen: new Map(), ipChanges: [] };
    await env.startController();
    const alive: string[] = [];
    for (let i = 0; i < INITIAL; i++) {
      const name = `s-${i}`;
      await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, name) });
      alive.push(name);
    }
    let snap = await converge(state, `all ${INITIAL} Services allocated`);
    expect(snap.size).toBe(INITIAL);
    const dupSeen: string[] = [];
    const edited: string[] = [];
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const invalidEdits = [
      () => ({ metadata: { annotations: { 'metallb.io/loadBalancerIPs': 'not-an-ip' } } }),
      () => ({ metadata: { annotations: { 'metallb.io/address-pool': 'no-such-pool' } } }),
      () => ({ spec: { loadBalancerIP: snap.get(alive[0]!)!.split(',')[0] } }), // an IP another Service holds
    ];

    for (let round = 0; round < ROUNDS; round++) {
      const killAt = Math.floor(random() * PER_ROUND);
      // Two survivors edited into something that cannot be met, kept out of the deletions from now on.
      for (let e = 0; e < 2; e++) {
        const name = alive.splice(1 + Math.floor(random() * (alive.length - 1)), 1)[0]!;
        await env.core.patchNamespacedService(
          { name, namespace: NS, body: invalidEdits[(round * 2 + e) % invalidEdits.length]!() },
          merge,
        );
        edited.push(name);
      }
      for (let op = 0; op < PER_ROUND; op++) {
        if (op === killAt) env.controller().kill('SIGKILL');
        // alive[0] is never deleted: its IP is the one an edited Service requests in vain.
        const victim = alive.splice(1 + Math.floor(random() * (alive.length - 1)), 1)[0]!;
        await env.core.deleteNamespacedService({ name: victim, namespace: NS });
        const name = `r${round}-${op}`;
        await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, name) });
        alive.push(name);
      }
      await env.controller().waitExit();
      await env.startController();
      snap = await converge(state, `round ${round}: every Service allocated after the restart`);
      dupSeen.push(...duplicates(snap));
      expect(snap.size).toBe(INITIAL);
    }
    console.log(
      `restart churn: ${ROUNDS} SIGKILLs, ${ROUNDS * PER_ROUND} deletes + creates, ${edited.length} Services edited into invalid requests, ${INITIAL} Services; IP changes of survivors: ${state.ipChanges.length}, duplicate IPs: ${dupSeen.length}`,
    );
    expect(state.ipChanges).toEqual([]);
    expect(dupSeen).toEqual([]);
    // Every edited Service kept its IP (above) and says why its request is not met.
    const missing: string[] = [];
    for (const name of edited) {
      const events = await eventsFor(env.core, NS, name);
      if (!events.some((ev) => ev.reason === 'AllocationFailed' && /keeping IP/.test(ev.message ?? '')))
        missing.push(name);
    }
    expect(missing).toEqual([]);
  }, 600_000);
});
