// The fence, proven on the real API server: a leader that lost its Lease while frozen can no longer
// apply any status write, even one it had decided (and checked its lease for) before it froze. The test
// plays that old leader ("ghost"): it holds the Lease, writes one Service's status and reads both
// Services with the controller's own token; then stops renewing. A real controller replica takes the
// Lease over, fences every managed Service and allocates. The ghost's late writes, sent with what it had
// read, get 409 Conflict; sent with the newer versions (had its watch caught up), they are refused
// before any request (the Services carry a newer leader term).
import type { V1Lease, V1Service } from '@kubernetes/client-node';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeTarget } from '../../../src/k8s/kubeconfig.ts';
import { microTime } from '../../../src/k8s/lease/rules.ts';
import { KubeRest } from '../../../src/k8s/rest.ts';
import { ApiServiceWriter, LEADER_TERM_ANNOTATION, leaderTermOf } from '../../../src/k8s/service-writer.ts';
import { ingressOf, lbService, legacyConfigMap, setupEnv, waitService, type Env } from './fixture.ts';

const NS = 'fence';
const CONFIG = legacyConfigMap(`
- name: main
  protocol: layer2
  addresses: [192.0.2.0/24]
`);

let env: Env;
let rest: KubeRest;

beforeAll(async () => {
  env = await setupEnv({ namespace: NS, config: CONFIG });
  rest = new KubeRest(loadKubeTarget(env.saKubeconfig), { now: () => performance.now() });
});

afterAll(async () => {
  rest?.close();
  await env?.stop();
});

describe('fencing a deposed leader', () => {
  it('after a takeover, none of the old leader’s writes can be applied', async () => {
    const ghost = { term: 0, identity: 'ghost_0' };
    const now = microTime(Date.now());
    const lease: V1Lease = {
      metadata: { name: 'ferrolb-controller', namespace: 'ferrolb-system' },
      spec: {
        holderIdentity: ghost.identity,
        leaseDurationSeconds: 6,
        leaseTransitions: 0,
        acquireTime: now as unknown as Date,
        renewTime: now as unknown as Date,
      },
    };
    await env.cluster.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .createNamespacedLease({ namespace: 'ferrolb-system', body: lease });

    // The ghost leads: one Service allocated by it, one not yet; it reads both (its informer cache).
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'held') });
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'fresh') });
    const ghostWriter = new ApiServiceWriter(rest, { canWrite: () => true, leader: () => ghost });
    const list = async (): Promise<Map<string, V1Service>> =>
      new Map(
        (await rest.request<{ items: V1Service[] }>('GET', `/api/v1/namespaces/${NS}/services`)).items.map((s) => [
          s.metadata!.name!,
          s,
        ]),
      );
    const heldBefore = (await list()).get('held')!;
    const w = await ghostWriter.write(heldBefore, {
      ingressIps: ['192.0.2.10'],
      annotations: { 'metallb.io/ip-allocated-from-pool': 'main' },
    });
    expect(w.result).toBe('written');
    const cache = await list(); // what the ghost holds when it freezes (it has checked its lease: canWrite() was true)

    // A real replica takes the Lease over once it has expired, fences, restores, allocates.
    const b = await env.startReplica('b');
    const fresh = await waitService(
      env,
      NS,
      'fresh',
      'allocated by the new leader',
      (s) => ingressOf(s).length > 0,
      120_000,
    );
    const held = await env.core.readNamespacedService({ name: 'held', namespace: NS });
    expect(ingressOf(held)).toEqual(['192.0.2.10']); // restored, not moved
    expect(leaderTermOf(held)).toBe(1);
    expect(leaderTermOf(fresh)).toBe(1);
    expect(b.logTail(400)).toMatch(/"takeover":true/);
    expect(b.logTail(400)).toMatch(/fenced every managed Service/);

    // The ghost wakes up and sends what it had decided, with the versions it had read: refused by the API server.
    const late1 = await ghostWriter.write(cache.get('held')!, { ingressIps: ['192.0.2.99'] });
    const late2 = await ghostWriter.write(cache.get('fresh')!, {
      ingressIps: [ingressOf(fresh)[0] === '192.0.2.1' ? '192.0.2.2' : '192.0.2.1'],
    });
    expect([late1.result, late2.result]).toEqual(['conflict', 'conflict']);
    // Had its watch caught up, the newer versions carry term 1 > 0: refused without a request.
    const caughtUp = await list();
    expect((await ghostWriter.write(caughtUp.get('held')!, { ingressIps: ['192.0.2.99'] })).result).toBe('superseded');
    expect((await ghostWriter.write(caughtUp.get('fresh')!, { ingressIps: ['192.0.2.98'] })).result).toBe('superseded');

    const after = await list();
    expect(ingressOf(after.get('held')!)).toEqual(['192.0.2.10']);
    expect(ingressOf(after.get('fresh')!)).toEqual(ingressOf(fresh));
    expect(after.get('held')!.metadata?.annotations?.[LEADER_TERM_ANNOTATION]).toMatch(/^1\/b?/);
  }, 300_000);
});
