// 200 Services churning (create/delete) while the controller is SIGKILLed and restarted 10 times:
// no surviving Service's IP changes and no IP is ever held twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convergeChurn, duplicates, type ChurnState } from './churn-check.ts';
import { lbService, legacyConfigMap, setupEnv, type Env } from './fixture.ts';

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
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const converge = (state: ChurnState, what: string): Promise<Map<string, string>> => convergeChurn(env, NS, state, what, 90_000);

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

    for (let round = 0; round < ROUNDS; round++) {
      const killAt = Math.floor(random() * PER_ROUND);
      for (let op = 0; op < PER_ROUND; op++) {
        if (op === killAt) env.controller().kill('SIGKILL');
        const victim = alive.splice(Math.floor(random() * alive.length), 1)[0]!;
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
    console.log(`restart churn: ${ROUNDS} SIGKILLs, ${ROUNDS * PER_ROUND} deletes + creates, ${INITIAL} Services; IP changes of survivors: ${state.ipChanges.length}, duplicate IPs: ${dupSeen.length}`);
    expect(state.ipChanges).toEqual([]);
    expect(dupSeen).toEqual([]);
  }, 600_000);
});
