// The API server goes away mid-churn and comes back: the controller's informers reconnect with backoff,
// relist, and the controller converges — every Service allocated, no IP changed, none held twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../src/lab/index.ts';
import { convergeChurn, duplicates, type ChurnState } from './churn-check.ts';
import { lbService, legacyConfigMap, setupEnv, type Env } from './fixture.ts';

const NS = 'outage';
const CONFIG = legacyConfigMap(`
- name: main
  protocol: layer2
  addresses: [192.0.2.0/24, 2001:db8::/120]
`);

let env: Env;

beforeAll(async () => {
  env = await setupEnv({ namespace: NS, config: CONFIG });
});

afterAll(async () => {
  await env?.stop();
});

const converge = (state: ChurnState, what: string): Promise<Map<string, string>> =>
  convergeChurn(env, NS, state, what, 120_000);

describe('API server restart mid-churn', () => {
  it('converges once the API server is back', async () => {
    const state: ChurnState = { firstSeen: new Map(), ipChanges: [] };
    const child = await env.startController();
    for (let i = 0; i < 60; i++) {
      await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, `a-${i}`) });
    }
    await converge(state, '60 Services allocated');

    // Churn, and stop the API server while the controller is busy with it.
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++)
      writes.push(env.core.createNamespacedService({ namespace: NS, body: lbService(NS, `b-${i}`) }));
    for (let i = 0; i < 10; i++) writes.push(env.core.deleteNamespacedService({ name: `a-${i}`, namespace: NS }));
    await Promise.all(writes);
    await env.cluster.stopApiServer();
    // While it is down the controller keeps running (liveness), and notices: its informers fail, or (the
    // API server holds watches open while it drains) its Lease renew deadline passes first and it stands
    // by until it can take the Lease again.
    await waitFor(() => /list\/watch failed|leadership lost/.test(child.logTail(200)), {
      what: 'the controller to notice the outage',
      timeoutMs: 60_000,
    });
    expect((await child.get('/healthz')).status).toBe(200);
    await env.cluster.startApiServer();

    await converge(state, 'every Service allocated after the first API server restart');

    // Second outage with the controller frozen (SIGSTOP) throughout: its watches die with the old API
    // server and the deletes below happen while it has no watch open, so only a relist can reveal them.
    child.kill('SIGSTOP');
    try {
      await env.cluster.stopApiServer();
      await env.cluster.startApiServer();
      for (let i = 10; i < 20; i++) await env.core.deleteNamespacedService({ name: `a-${i}`, namespace: NS });
      for (let i = 0; i < 20; i++) {
        await env.core.createNamespacedService({
          namespace: NS,
          body: lbService(NS, `c-${i}`, { families: ['IPv6'], policy: 'SingleStack' }),
        });
      }
    } finally {
      child.kill('SIGCONT');
    }
    const snap = await converge(state, 'every Service allocated after the second API server restart');
    expect(child.exited()).toBeUndefined();
    expect(snap.size).toBe(60 - 20 + 30 + 20);
    expect(duplicates(snap)).toEqual([]);
    expect(state.ipChanges).toEqual([]);
    // Deleted Services' IPs are free again: the pool usage metric matches what the API server shows.
    const m = (await child.get('/metrics')).body;
    expect(m).toMatch(new RegExp(`ferrolb_pool_addresses_assigned\\{pool="main",family="ipv4"\\} ${60 - 20 + 30}\\b`));
    expect(m).toMatch(/ferrolb_pool_addresses_assigned\{pool="main",family="ipv6"\} 20\b/);
  }, 300_000);
});
