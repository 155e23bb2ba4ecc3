import type { CoreV1Api, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ApiServiceWriter, ingressIps } from '../../../src/k8s/service-writer.ts';

const apiError = (code: number) => Object.assign(new Error(`HTTP-Code: ${code}`), { code });

function svc(rv: string, ips: string[] = [], uid = 'u1'): V1Service {
  return {
    metadata: { name: 'web', namespace: 'apps', resourceVersion: rv, uid },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  };
}

/** The two status calls of CoreV1Api, scripted. */
function fakeCore(script: { replace: (V1Service | Error)[]; read: (V1Service | Error)[] }) {
  const calls: string[] = [];
  const next = <T>(q: (T | Error)[], what: string): T => {
    const v = q.shift();
    if (v === undefined) throw new Error(`test: unexpected ${what}`);
    if (v instanceof Error) throw v;
    return v;
  };
  const core = {
    replaceNamespacedServiceStatus: async (p: { body: V1Service }) => {
      calls.push(`replace rv=${p.body.metadata?.resourceVersion} ips=${ingressIps(p.body).join(',')}`);
      return next(script.replace, 'replace');
    },
    readNamespacedServiceStatus: async () => {
      calls.push('read');
      return next(script.read, 'read');
    },
    patchNamespacedService: async (p: { body: unknown }) => {
      calls.push(`patch ${JSON.stringify(p.body)}`);
      return next(script.replace, 'patch');
    },
  };
  return { core: core as unknown as CoreV1Api, calls };
}

describe('ApiServiceWriter.writeIngress', () => {
  it('replaces the status with the cached resourceVersion', async () => {
    const { core, calls } = fakeCore({ replace: [svc('2')], read: [] });
    expect(await new ApiServiceWriter(core).writeIngress(svc('1'), ['192.0.2.1'])).toBe('written');
    expect(calls).toEqual(['replace rv=1 ips=192.0.2.1']);
  });

  it('on 409 reads afresh and replaces again with the new resourceVersion', async () => {
    const { core, calls } = fakeCore({ replace: [apiError(409), svc('6')], read: [svc('5')] });
    expect(await new ApiServiceWriter(core).writeIngress(svc('1'), ['192.0.2.1'])).toBe('written');
    expect(calls).toEqual(['replace rv=1 ips=192.0.2.1', 'read', 'replace rv=5 ips=192.0.2.1']);
  });

  it('on 409 stops when the fresh object already shows the IPs', async () => {
    const { core, calls } = fakeCore({ replace: [apiError(409)], read: [svc('5', ['192.0.2.1'])] });
    expect(await new ApiServiceWriter(core).writeIngress(svc('1'), ['192.0.2.1'])).toBe('unchanged');
    expect(calls).toEqual(['replace rv=1 ips=192.0.2.1', 'read']);
  });

  it('a Service deleted (404) or replaced by another of the same name (new UID) is gone', async () => {
    const gone404 = fakeCore({ replace: [apiError(404)], read: [] });
    expect(await new ApiServiceWriter(gone404.core).writeIngress(svc('1'), ['192.0.2.1'])).toBe('gone');
    const recreated = fakeCore({ replace: [apiError(409)], read: [svc('9', [], 'u2')] });
    expect(await new ApiServiceWriter(recreated.core).writeIngress(svc('1'), ['192.0.2.1'])).toBe('gone');
  });

  it('gives up after the conflict budget and on other errors, throwing for the queue to retry', async () => {
    const busy = fakeCore({ replace: [apiError(409), apiError(409), apiError(409)], read: [svc('2'), svc('3')] });
    await expect(new ApiServiceWriter(busy.core, 2).writeIngress(svc('1'), ['192.0.2.1'])).rejects.toThrow(/409/);
    const down = fakeCore({ replace: [apiError(503)], read: [] });
    await expect(new ApiServiceWriter(down.core).writeIngress(svc('1'), ['192.0.2.1'])).rejects.toThrow(/503/);
  });
});

describe('ApiServiceWriter.patchAnnotations', () => {
  it('sends a merge patch guarded by the UID; a UID mismatch (409) or 404 means gone', async () => {
    const ok = fakeCore({ replace: [svc('2')], read: [] });
    expect(await new ApiServiceWriter(ok.core).patchAnnotations(svc('1'), { 'metallb.io/ip-allocated-from-pool': 'a' })).toBe('written');
    expect(ok.calls).toEqual(['patch {"metadata":{"uid":"u1","annotations":{"metallb.io/ip-allocated-from-pool":"a"}}}']);
    const replaced = fakeCore({ replace: [apiError(409)], read: [] });
    expect(await new ApiServiceWriter(replaced.core).patchAnnotations(svc('1'), { x: null })).toBe('gone');
  });
});
