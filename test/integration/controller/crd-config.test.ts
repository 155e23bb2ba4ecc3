// Configuration from metallb.io objects: the example CRD set (examples/config/crds.yaml) is accepted by
// our CRD schemas without losing a field (a schema missing a field would make the API server prune it
// silently), the controller allocates from it, and a broken IPAddressPool is reported on that object
// while the last good configuration stays in force.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../../../src/lab/index.ts';
import { parseManifests, waitFor } from '../../../src/lab/index.ts';
import { eventsFor, ingressOf, lbService, metrics, setupEnv, waitService, type Env } from './fixture.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/config/crds.yaml', import.meta.url));
const NS = 'crd-apps';

/** Every leaf of `want` is in `have` with the same value (the API server may add defaults, not drop). */
function missingFields(want: unknown, have: unknown, path = ''): string[] {
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object') return [`${path}: missing`];
    return Object.entries(want as Record<string, unknown>).flatMap(([k, v]) =>
      missingFields(v, (have as Record<string, unknown>)[k], Array.isArray(want) ? `${path}[${k}]` : `${path}.${k}`),
    );
  }
  return want === have ? [] : [`${path}: want ${JSON.stringify(want)}, have ${JSON.stringify(have)}`];
}

let env: Env;
let exampleText: string;

beforeAll(async () => {
  env = await setupEnv({ namespace: NS });
  exampleText = readFileSync(EXAMPLE, 'utf8').replaceAll('namespace: metallb-system', 'namespace: ferrolb-system');
});

afterAll(async () => {
  await env?.stop();
});

describe('configuration from metallb.io objects', () => {
  it('the example CRD set round-trips through the API server with every field kept', async () => {
    const objects = parseManifests(exampleText);
    expect(objects.length).toBeGreaterThanOrEqual(6);
    await env.cluster.apply(exampleText);
    const client = env.cluster.kubeConfig.makeApiClient(KubernetesObjectApi);
    const lost: string[] = [];
    for (const obj of objects) {
      const back = await client.read({
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
      } as KubernetesObject & { metadata: { name: string; namespace: string } });
      lost.push(
        ...missingFields(
          (obj as { spec?: unknown }).spec,
          (back as { spec?: unknown }).spec,
          `${obj.kind}/${obj.metadata.name}.spec`,
        ),
      );
    }
    expect(lost).toEqual([]);
  });

  it('the controller loads them and allocates', async () => {
    const child = await env.startController();
    await waitFor(async () => (await child.get('/readyz')).status === 200, {
      what: '/readyz',
      timeoutMs: 60_000,
      diagnostics: () => env.diagnostics(),
    });
    await env.core.createNamespacedService({ namespace: NS, body: lbService(NS, 'web') });
    const svc = await waitService(env, NS, 'web', 'an ingress', (s) => ingressOf(s).length > 0);
    expect(ingressOf(svc)[0]).toMatch(/^(192\.0\.2|198\.51\.100)\./);
    expect(metricValue(await metrics(env), 'ferrolb_config_stale')).toBe(0);
  });

  it('a broken IPAddressPool: Event on that object, stale = 1, allocations kept; deleting it resumes', async () => {
    const before = ingressOf(await env.core.readNamespacedService({ name: 'web', namespace: NS }));
    await env.cluster.apply(`apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: broken
  namespace: ferrolb-system
spec:
  addresses: [192.0.2.0/33]
`);
    const ev = await waitFor(
      async () => (await eventsFor(env.core, 'ferrolb-system', 'broken')).find((e) => e.reason === 'InvalidConfig'),
      { what: 'InvalidConfig Event on IPAddressPool broken', diagnostics: () => env.diagnostics() },
    );
    expect(ev.involvedObject.kind).toBe('IPAddressPool');
    expect(ev.message).toMatch(/IPAddressPool\/ferrolb-system\/broken/);
    expect(metricValue(await metrics(env), 'ferrolb_config_stale')).toBe(1);
    expect(ingressOf(await env.core.readNamespacedService({ name: 'web', namespace: NS }))).toEqual(before);
    await env.cluster.kubeConfig.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'ferrolb-system',
      plural: 'ipaddresspools',
      name: 'broken',
    });
    await waitFor(async () => metricValue(await metrics(env), 'ferrolb_config_stale') === 0, {
      what: 'stale 0',
      diagnostics: () => env.diagnostics(),
    });
  });
});
