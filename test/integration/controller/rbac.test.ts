// The controller's RBAC is exactly what it calls: every rule of manifests/03-controller-rbac.yaml is
// listed here with the call that needs it (an added rule fails the first test), and the real authorizer
// allows those calls to the controller's ServiceAccount and denies neighbouring ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifests } from '../../../src/lab/index.ts';
import { MANIFESTS, setupEnv, type Env } from './fixture.ts';

const SA = 'system:serviceaccount:ferrolb-system:controller';
const METALLB = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles', 'communities'];

/** kind → "group|resource|verb" entries, each with the call that needs it. */
const NEEDED: Record<'ClusterRole' | 'Role', Record<string, string>> = {
  ClusterRole: {
    '|services|get': 'brief: services get (read access alongside list/watch)',
    '|services|list': 'services informer (list)',
    '|services|watch': 'services informer (watch)',
    '|services|update': 'brief: annotation writes may update',
    '|services|patch': 'pool annotations (merge patch)',
    '|services/status|get': 'fresh read after a 409 Conflict',
    '|services/status|update': 'status.loadBalancer.ingress (replace)',
    '|services/status|patch': 'brief: status writes may patch',
    '|events|create': 'IPAllocated / AllocationFailed / config Events',
    '|events|patch': 'brief: Event aggregation',
    '|namespaces|list': 'namespaces informer (labels for namespaceSelectors)',
    '|namespaces|watch': 'namespaces informer',
  },
  Role: {
    '|configmaps|get': 'brief: ConfigMap get',
    '|configmaps|list': 'ConfigMap informer',
    '|configmaps|watch': 'ConfigMap informer',
    ...Object.fromEntries(METALLB.flatMap((r) => ['get', 'list', 'watch'].map((v) => [`metallb.io|${r}|${v}`, `${r} informer`]))),
  },
};

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

let env: Env;

beforeAll(async () => {
  env = await setupEnv();
});

afterAll(async () => {
  await env?.stop();
});

describe('controller RBAC', () => {
  it('grants exactly the needed group/resource/verb triples, no wildcards, no resourceNames', () => {
    const objects = parseManifests(readFileSync(join(MANIFESTS, '03-controller-rbac.yaml'), 'utf8'));
    for (const kind of ['ClusterRole', 'Role'] as const) {
      const roles = objects.filter((o) => o.kind === kind);
      expect(roles).toHaveLength(1);
      const rules = (roles[0] as unknown as { rules: Rule[] }).rules;
      const granted = new Set<string>();
      for (const r of rules) {
        expect(r.nonResourceURLs).toBeUndefined();
        expect(r.resourceNames).toBeUndefined();
        for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const v of r.verbs ?? []) {
          expect([g, res, v]).not.toContain('*');
          granted.add(`${g}|${res}|${v}`);
        }
      }
      expect([...granted].sort()).toEqual(Object.keys(NEEDED[kind]).sort());
    }
  });

  it('the real authorizer allows the needed calls and denies neighbouring ones', async () => {
    const authz = env.cluster.kubeConfig.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, resource: string, namespace: string, group = '', subresource?: string): Promise<boolean> => {
      const r = await authz.createSubjectAccessReview({
        body: { spec: { user: SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:ferrolb-system', 'system:authenticated'], resourceAttributes: { verb, resource, namespace, group, ...(subresource ? { subresource } : {}) } } },
      });
      return r.status?.allowed === true;
    };
    const allowed: [string, string, string, string?, string?][] = [
      ['list', 'services', 'apps'],
      ['watch', 'services', ''],
      ['patch', 'services', 'apps'],
      ['update', 'services', 'apps', '', 'status'],
      ['get', 'services', 'apps', '', 'status'],
      ['create', 'events', 'apps'],
      ['list', 'namespaces', ''],
      ['watch', 'configmaps', 'ferrolb-system'],
      ['list', 'ipaddresspools', 'ferrolb-system', 'metallb.io'],
      ['watch', 'communities', 'ferrolb-system', 'metallb.io'],
    ];
    const denied: [string, string, string, string?, string?][] = [
      ['delete', 'services', 'apps'],
      ['create', 'services', 'apps'],
      ['get', 'secrets', 'ferrolb-system'],
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
    for (const [verb, res, ns, group, sub] of allowed) if (!(await can(verb, res, ns, group, sub))) wrong.push(`should allow ${verb} ${group}/${res}${sub ? `/${sub}` : ''} in "${ns}"`);
    for (const [verb, res, ns, group, sub] of denied) if (await can(verb, res, ns, group, sub)) wrong.push(`should deny ${verb} ${group}/${res}${sub ? `/${sub}` : ''} in "${ns}"`);
    expect(wrong).toEqual([]);
  });
});
