// Configuration at runtime: a bad ConfigMap keeps the last good configuration (nothing released),
// shows in an Event and in ferrolb_config_stale; fixing it resumes; shrinking a pool moves only the
// Services outside it; ConfigMap and CRDs at once are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../../../src/lab/index.ts';
import { waitFor } from '../../../src/lab/index.ts';
import {
  eventsFor,
  ingressOf,
  lbService,
  legacyConfigMap,
  metrics,
  setupEnv,
  waitService,
  type Env,
} from './fixture.ts';
import { parseIp } from '../../../src/net/ip.ts';

const NS = 'cfg';

const GOOD = legacyConfigMap(`
- name: a
  protocol: layer2
  addresses: [192.0.2.0/28]
`);
const BAD = legacyConfigMap(`
- name: a
  protocol: layer2
  addresses: [192.0.2.0/33]
- name: a
  protocol: bgpp
  addresses: [192.0.2.0/28]
`);

let env: Env;

async function staleMetric(): Promise<number | undefined> {
  return metricValue(await metrics(env), 'ferrolb_config_stale');
}

async function configEvents(reason: string): Promise<string[]> {
  return (await eventsFor(env.core, 'ferrolb-system', 'config'))
    .filter((e) => e.reason === reason)
    .map((e) => e.message ?? '');
}

beforeAll(async () => {
  env = await setupEnv({ namespace: NS });
});

afterAll(async () => {
  await env?.stop();
});

describe('configuration changes at runtime', () => {
  const ips = new Map<string, string>();

  it('without any configuration the controller is alive but not ready; the first good one makes it ready', async () => {
    const child = await env.startController();
    await waitFor(async () => /initial sync done/.test(child.logTail(100)), {
      what: 'initial sync',
      timeoutMs: 60_000,
      diagnostics: () => env.diagnostics(),
    });
    const notReady = await child.get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatch(/no valid configuration/);
    expect((await child.get('/healthz')).status).toBe(200);
    await env.cluster.apply(GOOD);
    await waitFor(async () => (await child.get('/readyz')).status === 200, {
      what: '/readyz 200',
      timeoutMs: 30_000,
      diagnostics: () => env.diagnostics(),
    });
  });

  it('allocates under the good configuration and records ConfigLoaded', async () => {
    for (const name of ['s1', 's2']) {
      await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, name) });
      const svc = await waitService(env, NS, name, 'an ingress', (s) => ingressOf(s).length === 1);
      ips.set(name, ingressOf(svc)[0]!);
    }
    expect(new Set(ips.values()).size).toBe(2);
    await waitFor(async () => (await configEvents('ConfigLoaded')).length > 0, { what: 'ConfigLoaded Event' });
    expect(await staleMetric()).toBe(0);
  });

  it('a bad ConfigMap: last good configuration stays, Event lists every problem, stale = 1', async () => {
    const m0 = await metrics(env);
    const failuresBefore = metricValue(m0, 'ferrolb_config_loads_total', { result: 'failure' }) ?? 0;
    await env.cluster.apply(BAD);
    const [message] = await waitFor(
      async () => {
        const msgs = await configEvents('InvalidConfig');
        return msgs.length > 0 ? msgs : undefined;
      },
      { what: 'InvalidConfig Event on the ConfigMap', diagnostics: () => env.diagnostics() },
    );
    expect(message).toMatch(/stale/i);
    expect(message).toMatch(/192\.0\.2\.0\/33/);
    expect(message).toMatch(/bgpp/);
    await waitFor(async () => (await staleMetric()) === 1, { what: 'ferrolb_config_stale 1' });
    const m1 = await metrics(env);
    expect(metricValue(m1, 'ferrolb_config_loads_total', { result: 'failure' })).toBe(failuresBefore + 1);
    expect((await env.controller().get('/readyz')).status).toBe(200);
    // Nothing released, and a new Service is still served from the last good configuration.
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 's3') });
    const s3 = await waitService(env, NS, 's3', 'an ingress', (s) => ingressOf(s).length === 1);
    ips.set('s3', ingressOf(s3)[0]!);
    for (const name of ['s1', 's2']) {
      expect(ingressOf(await env.core.readNamespacedService({ name, namespace: NS }))).toEqual([ips.get(name)]);
    }
  });

  it('fixing it resumes: stale = 0 and a ConfigLoaded Event says so', async () => {
    await env.cluster.apply(GOOD);
    await waitFor(async () => (await staleMetric()) === 0, {
      what: 'ferrolb_config_stale 0',
      diagnostics: () => env.diagnostics(),
    });
    await waitFor(async () => (await configEvents('ConfigLoaded')).some((m) => /no longer stale/.test(m)), {
      what: 'ConfigLoaded (no longer stale)',
    });
    for (const name of ['s1', 's2', 's3']) {
      expect(ingressOf(await env.core.readNamespacedService({ name, namespace: NS }))).toEqual([ips.get(name)]);
    }
  });

  it('shrinking the pool moves only the Services outside it', async () => {
    const keep = ips.get('s1')!;
    await env.cluster.apply(
      legacyConfigMap(`
- name: a
  protocol: layer2
  addresses: [${keep}/32]
- name: b
  protocol: layer2
  addresses: [198.51.100.0/29]
`),
    );
    for (const name of ['s2', 's3']) {
      const svc = await waitService(env, NS, name, 'moved to pool b', (s) => {
        const ip = ingressOf(s)[0];
        return ip !== undefined && ip.startsWith('198.51.100.');
      });
      const v = parseIp(ingressOf(svc)[0]!)!.value;
      expect(v >= parseIp('198.51.100.0')!.value && v <= parseIp('198.51.100.7')!.value).toBe(true);
    }
    expect(ingressOf(await env.core.readNamespacedService({ name: 's1', namespace: NS }))).toEqual([keep]);
  });

  it('ConfigMap and metallb.io resources at once: refused, last good kept; removing one resumes', async () => {
    await env.cluster.apply(`apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: extra
  namespace: ferrolb-system
spec:
  addresses: [203.0.113.0/29]
`);
    await waitFor(async () => (await staleMetric()) === 1, {
      what: 'stale after adding a CRD next to the ConfigMap',
      diagnostics: () => env.diagnostics(),
    });
    await waitFor(
      async () => (await configEvents('InvalidConfig')).some((m) => /either the ConfigMap or the CRDs/.test(m)),
      { what: 'InvalidConfig (both)' },
    );
    await env.cluster.kubeConfig
      .makeApiClient((await import('@kubernetes/client-node')).CustomObjectsApi)
      .deleteNamespacedCustomObject({
        group: 'metallb.io',
        version: 'v1beta1',
        namespace: 'ferrolb-system',
        plural: 'ipaddresspools',
        name: 'extra',
      });
    await waitFor(async () => (await staleMetric()) === 0, {
      what: 'stale 0 after removing the CRD',
      diagnostics: () => env.diagnostics(),
    });
    expect(ingressOf(await env.core.readNamespacedService({ name: 's1', namespace: NS }))).toEqual([ips.get('s1')]);
  });

  it('SIGTERM: clean shutdown, exit code 0', async () => {
    const child = env.controller();
    child.kill('SIGTERM');
    expect(await child.waitExit()).toBe('exited with code 0');
    expect(child.logTail(5)).toMatch(/"msg":"stopped"/);
  });
});
