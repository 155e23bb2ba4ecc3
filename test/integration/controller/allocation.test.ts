// The controller against a real API server, under its own ServiceAccount and the manifests' RBAC:
// Services of every shape get the right status, pool annotations and Events; freed IPs are reused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_ANNOTATIONS } from '../../../src/controller/reconcile.ts';
import { metricValue } from '../../../src/lab/index.ts';
import {
  eventsFor,
  ingressOf,
  lbService,
  legacyConfigMap,
  metrics,
  setupEnv,
  waitEvent,
  waitService,
  type Env,
} from './fixture.ts';
import { waitFor } from '../../../src/lab/index.ts';
import { parseIp } from '../../../src/net/ip.ts';

const CONFIG = legacyConfigMap(`
- name: default
  protocol: layer2
  addresses: [192.0.2.0/28, 2001:db8::/124]
  avoid-buggy-ips: true
- name: reserved
  protocol: layer2
  auto-assign: false
  addresses: [198.51.100.0/29]
- name: tiny
  protocol: layer2
  auto-assign: false
  addresses: [203.0.113.10/32]
`);

const NS = 'apps';
const [IO_ANNOTATION, UNIVERSE_ANNOTATION] = POOL_ANNOTATIONS;

function inRange(ip: string, first: string, last: string): boolean {
  const v = parseIp(ip)!;
  const a = parseIp(first)!;
  const b = parseIp(last)!;
  return v.family === a.family && a.value <= v.value && v.value <= b.value;
}

let env: Env;

beforeAll(async () => {
  env = await setupEnv({ namespace: NS, config: CONFIG });
  const child = await env.startController();
  await waitFor(async () => (await child.get('/readyz')).status === 200, {
    what: 'controller /readyz',
    timeoutMs: 60_000,
    diagnostics: () => env.diagnostics(),
  });
});

afterAll(async () => {
  await env?.stop();
});

describe('controller allocation against a real API server', () => {
  it('IPv4 Service: status, both pool annotations and an IPAllocated Event', async () => {
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'v4') });
    const svc = await waitService(env, NS, 'v4', 'an IPv4 ingress', (s) => ingressOf(s).length === 1);
    const [ip] = ingressOf(svc);
    expect(inRange(ip!, '192.0.2.1', '192.0.2.15')).toBe(true);
    const annotated = await waitService(
      env,
      NS,
      'v4',
      'pool annotations',
      (s) => s.metadata?.annotations?.[IO_ANNOTATION] !== undefined,
    );
    expect(annotated.metadata?.annotations?.[IO_ANNOTATION]).toBe('default');
    expect(annotated.metadata?.annotations?.[UNIVERSE_ANNOTATION]).toBe('default');
    const ev = await waitEvent(env, NS, 'v4', 'IPAllocated');
    expect(ev.type).toBe('Normal');
    expect(ev.message).toBe(`Assigned IP ["${ip}"] from pool default`);
  });

  it('avoid-buggy-ips: the first IPv4 Service did not get 192.0.2.0', async () => {
    const svc = await env.core.readNamespacedService({ name: 'v4', namespace: NS });
    expect(ingressOf(svc)).not.toContain('192.0.2.0');
  });

  it('IPv6 single-stack Service gets an address from the IPv6 range', async () => {
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'v6', { families: ['IPv6'], policy: 'SingleStack' }),
    });
    const svc = await waitService(env, NS, 'v6', 'an IPv6 ingress', (s) => ingressOf(s).length === 1);
    expect(inRange(ingressOf(svc)[0]!, '2001:db8::', '2001:db8::f')).toBe(true);
    // The first IPv6 Service of 2001:db8::/124 skips the Subnet-Router anycast address (RFC 4291 §2.6.1).
    expect(ingressOf(svc)).toEqual(['2001:db8::1']);
  });

  it('dual-stack Service gets one address per family from the same pool, primary family first', async () => {
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'dual', { families: ['IPv6', 'IPv4'], policy: 'RequireDualStack' }),
    });
    const svc = await waitService(env, NS, 'dual', 'two ingress IPs', (s) => ingressOf(s).length === 2);
    const [first, second] = ingressOf(svc);
    expect(inRange(first!, '2001:db8::', '2001:db8::f')).toBe(true);
    expect(inRange(second!, '192.0.2.1', '192.0.2.15')).toBe(true);
    const ev = await waitEvent(env, NS, 'dual', 'IPAllocated');
    expect(ev.message).toBe(`Assigned IP ["${first}" "${second}"] from pool default`);
  });

  it('a requested IP (spec.loadBalancerIP) is honoured, even from a pool without auto-assign', async () => {
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'requested', { loadBalancerIP: '198.51.100.3' }),
    });
    const svc = await waitService(env, NS, 'requested', 'ingress 198.51.100.3', (s) => ingressOf(s).length > 0);
    expect(ingressOf(svc)).toEqual(['198.51.100.3']);
    await waitService(
      env,
      NS,
      'requested',
      'pool annotation reserved',
      (s) => s.metadata?.annotations?.[IO_ANNOTATION] === 'reserved',
    );
  });

  it('the address-pool annotation picks the pool', async () => {
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'hinted', { annotations: { 'metallb.universe.tf/address-pool': 'reserved' } }),
    });
    const svc = await waitService(env, NS, 'hinted', 'an ingress', (s) => ingressOf(s).length > 0);
    expect(inRange(ingressOf(svc)[0]!, '198.51.100.0', '198.51.100.7')).toBe(true);
    expect(ingressOf(svc)[0]).not.toBe('198.51.100.3');
  });

  it('an edit that cannot be met keeps the Service on its IP, with an AllocationFailed Event saying so', async () => {
    const before = ingressOf(await env.core.readNamespacedService({ name: 'hinted', namespace: NS }));
    expect(before).toHaveLength(1);
    const svc = await env.core.readNamespacedService({ name: 'hinted', namespace: NS });
    svc.metadata!.annotations!['metallb.universe.tf/address-pool'] = 'no-such-pool';
    await env.core.replaceNamespacedService({ name: 'hinted', namespace: NS, body: svc });
    const failed = await waitEvent(env, NS, 'hinted', 'AllocationFailed', /no-such-pool/);
    expect(failed.message).toContain(`keeping IP ["${before[0]}"] from pool reserved`);
    const still = await env.core.readNamespacedService({ name: 'hinted', namespace: NS });
    expect(ingressOf(still)).toEqual(before);
    expect(still.metadata?.annotations?.[IO_ANNOTATION]).toBe('reserved');
    // Fixed: same IP, no move.
    still.metadata!.annotations!['metallb.universe.tf/address-pool'] = 'reserved';
    await env.core.replaceNamespacedService({ name: 'hinted', namespace: NS, body: still });
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'after-fix') });
    await waitService(env, NS, 'after-fix', 'an ingress', (s) => ingressOf(s).length > 0);
    expect(ingressOf(await env.core.readNamespacedService({ name: 'hinted', namespace: NS }))).toEqual(before);
  });

  it('two Services with the same allow-shared-ip key and different ports share one IP', async () => {
    const annotations = { 'metallb.io/allow-shared-ip': 'web', 'metallb.io/address-pool': 'reserved' };
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'shared-a', { annotations, port: 80, selector: { app: 'web' } }),
    });
    const a = await waitService(env, NS, 'shared-a', 'an ingress', (s) => ingressOf(s).length > 0);
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'shared-b', { annotations, port: 443, selector: { app: 'web' } }),
    });
    const b = await waitService(env, NS, 'shared-b', 'an ingress', (s) => ingressOf(s).length > 0);
    expect(ingressOf(b)).toEqual(ingressOf(a));
  });

  it('a Service of another loadBalancerClass is left alone', async () => {
    await env.core.createNamespacedService({
      namespace: NS,
      body: lbService(NS, 'foreign', { lbClass: 'example.com/other-lb' }),
    });
    // A Service created after it and seen after it by the same informer proves it was processed.
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'after-foreign') });
    await waitService(env, NS, 'after-foreign', 'an ingress', (s) => ingressOf(s).length > 0);
    await waitFor(async () => (await env.controller().get('/metrics')).status === 200, { what: 'metrics' });
    const foreign = await env.core.readNamespacedService({ name: 'foreign', namespace: NS });
    expect(ingressOf(foreign)).toEqual([]);
    expect(foreign.metadata?.annotations?.[IO_ANNOTATION]).toBeUndefined();
    expect(await eventsFor(env.core, NS, 'foreign')).toEqual([]);
  });

  it('an exhausted pool gives AllocationFailed; deleting the holder frees the IP for the waiting Service', async () => {
    const tiny = { 'metallb.io/address-pool': 'tiny' };
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'tiny-1', { annotations: tiny }) });
    await waitService(env, NS, 'tiny-1', 'ingress 203.0.113.10', (s) => ingressOf(s)[0] === '203.0.113.10');
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'tiny-2', { annotations: tiny }) });
    const failed = await waitEvent(env, NS, 'tiny-2', 'AllocationFailed');
    expect(failed.type).toBe('Warning');
    expect(failed.message).toMatch(/tiny/);
    const m = await metrics(env);
    expect(metricValue(m, 'ferrolb_allocation_failures_total', { reason: 'PoolExhausted' })).toBeGreaterThanOrEqual(1);

    await env.core.deleteNamespacedService({ name: 'tiny-1', namespace: NS });
    await waitService(env, NS, 'tiny-2', 'ingress 203.0.113.10', (s) => ingressOf(s)[0] === '203.0.113.10');
  });

  it('a Service that stops being a LoadBalancer releases its IP and loses our annotations', async () => {
    const tiny = { 'metallb.io/address-pool': 'tiny' };
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'tiny-3', { annotations: tiny }) });
    await waitEvent(env, NS, 'tiny-3', 'AllocationFailed');
    const svc = await env.core.readNamespacedService({ name: 'tiny-2', namespace: NS });
    svc.spec!.type = 'ClusterIP';
    await env.core.replaceNamespacedService({ name: 'tiny-2', namespace: NS, body: svc });
    await waitService(env, NS, 'tiny-3', 'ingress 203.0.113.10', (s) => ingressOf(s)[0] === '203.0.113.10');
    const after = await waitService(
      env,
      NS,
      'tiny-2',
      'no pool annotation',
      (s) => s.metadata?.annotations?.[IO_ANNOTATION] === undefined,
    );
    expect(ingressOf(after)).toEqual([]);
  });

  it('metrics show pool usage per pool and family', async () => {
    const m = await metrics(env);
    expect(metricValue(m, 'ferrolb_pool_addresses_assigned', { pool: 'tiny', family: 'ipv4' })).toBe(1);
    expect(metricValue(m, 'ferrolb_pool_addresses_available', { pool: 'tiny', family: 'ipv4' })).toBe(0);
    expect(metricValue(m, 'ferrolb_pool_addresses_assigned', { pool: 'default', family: 'ipv6' })).toBe(2);
    expect(metricValue(m, 'ferrolb_allocations_total')).toBeGreaterThanOrEqual(8);
    expect(metricValue(m, 'ferrolb_config_stale')).toBe(0);
  });
});
