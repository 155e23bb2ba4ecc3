// RBAC checks shared by the controller's and the speaker's integration tests: the rules of a manifest
// Role/ClusterRole as "group|resource|verb" triples (no wildcards, no resourceNames, no
// nonResourceURLs allowed), and a SubjectAccessReview against the real authorizer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { MANIFESTS, parseManifests } from '../../src/lab/index.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** The sorted "group|resource|verb" triples the one `kind` object of `file` (in manifests/) grants. */
export function grantedTriples(file: string, kind: 'ClusterRole' | 'Role'): string[] {
  const roles = parseManifests(readFileSync(join(MANIFESTS, file), 'utf8')).filter((o) => o.kind === kind);
  expect(roles, `${file}: one ${kind}`).toHaveLength(1);
  const granted = new Set<string>();
  for (const r of (roles[0] as unknown as { rules: Rule[] }).rules) {
    expect(r.nonResourceURLs).toBeUndefined();
    expect(r.resourceNames).toBeUndefined();
    for (const g of r.apiGroups ?? [])
      for (const res of r.resources ?? [])
        for (const v of r.verbs ?? []) {
          expect([g, res, v]).not.toContain('*');
          granted.add(`${g}|${res}|${v}`);
        }
  }
  return [...granted].sort();
}

/** `can(verb, resource, namespace, group?, subresource?)` for `user` in `groups`, asked of the real authorizer. */
export function subjectAccess(
  kubeConfig: KubeConfig,
  user: string,
  groups: string[],
): (verb: string, resource: string, namespace: string, group?: string, subresource?: string) => Promise<boolean> {
  const authz = kubeConfig.makeApiClient(AuthorizationV1Api);
  return async (verb, resource, namespace, group = '', subresource) => {
    const r = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user,
          groups,
          resourceAttributes: { verb, resource, namespace, group, ...(subresource ? { subresource } : {}) },
        },
      },
    });
    return r.status?.allowed === true;
  };
}
