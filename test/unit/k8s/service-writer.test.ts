import type { V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  ApiServiceWriter,
  LEADER_TERM_ANNOTATION,
  NO_FENCE,
  ingressIps,
  leaderTermOf,
  type WriteFence,
} from '../../../src/k8s/service-writer.ts';

const svc = (rv: string, annotations: Record<string, string> = {}): V1Service => ({
  metadata: {
    name: 'web',
    namespace: 'apps',
    uid: 'u1',
    resourceVersion: rv,
    annotations,
    managedFields: [{ manager: 'kubectl' }],
  },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }, { ip: '192.0.2.9' }] } },
});

function fakeRest(answer: (body: V1Service) => V1Service | Error) {
  const calls: { method: string; path: string; body: V1Service }[] = [];
  return {
    calls,
    request: async <T>(method: string, path: string, req: { body?: unknown } = {}): Promise<T> => {
      calls.push({ method, path, body: req.body as V1Service });
      const a = answer(req.body as V1Service);
      if (a instanceof Error) throw a;
      return a as T;
    },
  };
}

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
const leader = (term: number, can = true): WriteFence => ({
  canWrite: () => can,
  leader: () => ({ term, identity: 'pod-a_1' }),
});

describe('ApiServiceWriter', () => {
  it('one PUT of the status subresource: ingress, annotations and our term, with the resourceVersion as read', async () => {
    const rest = fakeRest((b) => ({ ...b, metadata: { ...b.metadata, resourceVersion: '8' } }));
    const r = await new ApiServiceWriter(rest, leader(4)).write(
      svc('7', { keep: 'me', 'metallb.io/ip-allocated-from-pool': 'old' }),
      {
        ingressIps: ['192.0.2.1'],
        annotations: { 'metallb.io/ip-allocated-from-pool': 'a', 'metallb.universe.tf/ip-allocated-from-pool': null },
      },
    );
    expect(r.result).toBe('written');
    expect(r.object?.metadata?.resourceVersion).toBe('8');
    expect(rest.calls).toHaveLength(1);
    const { method, path, body } = rest.calls[0]!;
    expect(`${method} ${path}`).toBe('PUT /api/v1/namespaces/apps/services/web/status');
    expect(body.metadata?.resourceVersion).toBe('7');
    expect(body.metadata?.uid).toBe('u1');
    expect(body.metadata?.managedFields).toBeUndefined();
    expect(body.metadata?.annotations).toEqual({
      keep: 'me',
      'metallb.io/ip-allocated-from-pool': 'a',
      [LEADER_TERM_ANNOTATION]: '4/pod-a_1',
    });
    expect(body.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.1' }, { hostname: 'lb.example' }]);
    expect(ingressIps(body)).toEqual(['192.0.2.1']);
    expect(leaderTermOf(body)).toBe(4);
  });

  it('sends nothing when the fence says no, or when the Service carries a newer leader term', async () => {
    const rest = fakeRest((b) => b);
    expect((await new ApiServiceWriter(rest, leader(4, false)).write(svc('7'), { ingressIps: [] })).result).toBe(
      'fenced',
    );
    expect(
      (
        await new ApiServiceWriter(rest, leader(4)).write(svc('7', { [LEADER_TERM_ANNOTATION]: '5/pod-b_2' }), {
          ingressIps: [],
        })
      ).result,
    ).toBe('superseded');
    expect(rest.calls).toHaveLength(0);
    // An older or equal term is ours to overwrite.
    expect(
      (await new ApiServiceWriter(rest, leader(5)).write(svc('7', { [LEADER_TERM_ANNOTATION]: '4/pod-a_1' }), {}))
        .result,
    ).toBe('written');
  });

  it('409 is a conflict (not re-read and retried), 404 gone, anything else thrown', async () => {
    for (const [code, want] of [
      [409, 'conflict'],
      [404, 'gone'],
    ] as const) {
      const rest = fakeRest(() => apiError(code));
      expect((await new ApiServiceWriter(rest, leader(1)).write(svc('7'), { ingressIps: ['192.0.2.1'] })).result).toBe(
        want,
      );
      expect(rest.calls).toHaveLength(1);
    }
    await expect(
      new ApiServiceWriter(
        fakeRest(() => apiError(422)),
        NO_FENCE,
      ).write(svc('7'), {}),
    ).rejects.toThrow(/422/);
  });

  it('without leader election no term is stamped', async () => {
    const rest = fakeRest((b) => b);
    await new ApiServiceWriter(rest, NO_FENCE).write(svc('7'), { ingressIps: ['192.0.2.1'] });
    expect(rest.calls[0]!.body.metadata?.annotations?.[LEADER_TERM_ANNOTATION]).toBeUndefined();
  });
});
