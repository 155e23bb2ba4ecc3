// The controller's RBAC is exactly what it calls: every rule of manifests/03-controller-rbac.yaml is
// listed here with the call that needs it (an added rule fails the first test), the real authorizer
// allows those calls to the controller's ServiceAccount and denies every neighbouring one, and real
// requests made with the controller's own token cannot take the CVE-2020-8554 interception route
// (externalIPs or a new selector on default/kubernetes).
import type { V1Service } from '@kubernetes/client-node';
import { loadKubeTarget } from '../../../src/k8s/kubeconfig.ts';
import { KubeRest } from '../../../src/k8s/rest.ts';
import { httpStatus } from '../../../src/k8s/informer.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantedTriples, subjectAccess } from '../../helpers/rbac.ts';
import { setupEnv, type Env } from './fixture.ts';

const SA = 'system:serviceaccount:ferrolb-system:controller';
const METALLB = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles', 'communities'];

/** kind → "group|resource|verb" entries, each with the call that needs it. */
const NEEDED: Record<'ClusterRole' | 'Role', Record<string, string>> = {
  ClusterRole: {
    '|services|list': 'services informer (list)',
    '|services|watch': 'services informer (watch)',
    '|services/status|update': 'status.loadBalancer.ingress + pool annotations + leader term (one PUT)',
    '|events|create': 'IPAllocated / AllocationFailed / WriteRefused / config Events',
    '|namespaces|list': 'namespaces informer (labels for namespaceSelectors)',
    '|namespaces|watch': 'namespaces informer',
  },
  Role: {
    '|configmaps|list': 'ConfigMap informer',
    '|configmaps|watch': 'ConfigMap informer',
    '|secrets|get': 'memberlist Secret: does it exist',
    '|secrets|create': 'memberlist Secret: created when missing',
    ...Object.fromEntries(
      METALLB.flatMap((r) => ['list', 'watch'].map((v) => [`metallb.io|${r}|${v}`, `${r} informer`])),
    ),
    'coordination.k8s.io|leases|get': 'leader election: read the Lease',
    'coordination.k8s.io|leases|create': 'leader election: first replica creates it',
    'coordination.k8s.io|leases|update': 'leader election: acquire, renew, release',
  },
};

let env: Env;

beforeAll(async () => {
  env = await setupEnv();
});

afterAll(async () => {
  await env?.stop();
});

describe('controller RBAC', () => {
  it('grants exactly the needed group/resource/verb triples, no wildcards, no resourceNames', () => {
    for (const kind of ['ClusterRole', 'Role'] as const)
      expect(grantedTriples('03-controller-rbac.yaml', kind)).toEqual(Object.keys(NEEDED[kind]).sort());
  });

  it('the real authorizer allows the needed calls and denies neighbouring ones', async () => {
    const can = subjectAccess(env.cluster.kubeConfig, SA, [
      'system:serviceaccounts',
      'system:serviceaccounts:ferrolb-system',
      'system:authenticated',
    ]);
    const allowed: [string, string, string, string?, string?][] = [
      ['list', 'services', 'apps'],
      ['watch', 'services', ''],
      ['update', 'services', 'apps', '', 'status'],
      ['create', 'events', 'apps'],
      ['list', 'namespaces', ''],
      ['watch', 'configmaps', 'ferrolb-system'],
      ['list', 'ipaddresspools', 'ferrolb-system', 'metallb.io'],
      ['watch', 'communities', 'ferrolb-system', 'metallb.io'],
      ['get', 'leases', 'ferrolb-system', 'coordination.k8s.io'],
      ['create', 'leases', 'ferrolb-system', 'coordination.k8s.io'],
      ['update', 'leases', 'ferrolb-system', 'coordination.k8s.io'],
    ];
    const denied: [string, string, string, string?, string?][] = [
      // Every write on Services themselves (the interception route), and the verbs the code never uses.
      ['update', 'services', 'default'],
      ['patch', 'services', 'default'],
      ['get', 'services', 'apps'],
      ['delete', 'services', 'apps'],
      ['create', 'services', 'apps'],
      ['get', 'secrets', 'apps'],
      ['update', 'secrets', 'ferrolb-system'],
      ['list', 'secrets', 'ferrolb-system'],
      ['deletecollection', 'services', 'apps'],
      ['patch', 'services', 'apps', '', 'status'],
      ['get', 'services', 'apps', '', 'status'],
      ['patch', 'events', 'apps'],
      ['update', 'events', 'apps'],
      ['get', 'configmaps', 'ferrolb-system'],
      ['get', 'ipaddresspools', 'ferrolb-system', 'metallb.io'],
      ['update', 'endpoints', 'default'],
      ['create', 'endpointslices', 'default', 'discovery.k8s.io'],
      // Leases: only in the controller's namespace, and never listed, watched or deleted.
      ['list', 'leases', 'ferrolb-system', 'coordination.k8s.io'],
      ['watch', 'leases', 'ferrolb-system', 'coordination.k8s.io'],
      ['delete', 'leases', 'ferrolb-system', 'coordination.k8s.io'],
      ['get', 'leases', 'kube-system', 'coordination.k8s.io'],
      ['update', 'leases', 'kube-system', 'coordination.k8s.io'],
      ['list', 'secrets', ''],
      ['list', 'configmaps', 'apps'], // configuration is read in ferrolb-system only
      ['update', 'configmaps', 'ferrolb-system'],
      ['list', 'ipaddresspools', 'apps', 'metallb.io'],
      ['update', 'ipaddresspools', 'ferrolb-system', 'metallb.io'],
      ['delete', 'events', 'apps'],
      ['list', 'pods', 'apps'],
      ['list', 'nodes', ''],
      ['update', 'namespaces', ''],
      ['create', 'serviceaccounts', 'ferrolb-system', '', 'token'],
    ];
    const wrong: string[] = [];
    for (const [verb, res, ns, group, sub] of allowed)
      if (!(await can(verb, res, ns, group, sub)))
        wrong.push(`should allow ${verb} ${group}/${res}${sub ? `/${sub}` : ''} in "${ns}"`);
    for (const [verb, res, ns, group, sub] of denied)
      if (await can(verb, res, ns, group, sub))
        wrong.push(`should deny ${verb} ${group}/${res}${sub ? `/${sub}` : ''} in "${ns}"`);
    expect(wrong).toEqual([]);
  });

  it("the controller's own token cannot set externalIPs or a selector on default/kubernetes (CVE-2020-8554)", async () => {
    const rest = new KubeRest(loadKubeTarget(env.saKubeconfig), { now: () => performance.now() });
    try {
      const path = '/api/v1/namespaces/default/services/kubernetes';
      const patch = (body: unknown) =>
        rest.request('PATCH', path, { query: { dryRun: 'All' }, body }).then(
          () => 'allowed',
          (err) => `HTTP ${httpStatus(err)}`,
        );
      // JSON merge patch needs its own content type; KubeRest sends application/json, which the API
      // refuses for PATCH (415) before authorization — so use PUT (update), the verb a merge would need too.
      const evil = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default' },
        spec: { externalIPs: ['203.0.113.66'], selector: { app: 'evil' }, ports: [{ port: 443 }] },
      };
      const put = await rest.request('PUT', path, { query: { dryRun: 'All' }, body: evil }).then(
        () => 'allowed',
        (err) => `HTTP ${httpStatus(err)}`,
      );
      expect(put).toBe('HTTP 403');
      expect(['HTTP 403', 'HTTP 415']).toContain(await patch({ spec: { externalIPs: ['203.0.113.66'] } }));
      // The status subresource (which it may write) ignores spec: the dry run comes back with the real spec.
      const listed = await rest.request<{ items: V1Service[] }>('GET', '/api/v1/services');
      const kube = listed.items.find((s) => s.metadata?.namespace === 'default' && s.metadata?.name === 'kubernetes')!;
      const back = await rest.request<V1Service>('PUT', `${path}/status`, {
        query: { dryRun: 'All' },
        body: { ...kube, spec: { ...kube.spec, externalIPs: ['203.0.113.66'], selector: { app: 'evil' } } },
      });
      expect(back.spec?.externalIPs).toBeUndefined();
      expect(back.spec?.selector).toBeUndefined();
      // Nor can it read a Service by name, or touch Secrets.
      await expect(rest.request('GET', path)).rejects.toMatchObject({ code: 403 });
      await expect(rest.request('GET', '/api/v1/namespaces/ferrolb-system/secrets')).rejects.toMatchObject({
        code: 403,
      });
    } finally {
      rest.close();
    }
  });
});
