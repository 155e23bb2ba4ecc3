import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ApiEventRecorder } from '../../../src/k8s/event-recorder.ts';

describe('ApiEventRecorder', () => {
  const ref = { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'apps', uid: 'u1' };
  const now = new Date('2026-11-22T04:00:00Z');

  it('creates a core/v1 Event about the object, in its namespace', async () => {
    const bodies: { namespace: string; body: CoreV1Event }[] = [];
    const core = { createNamespacedEvent: async (p: { namespace: string; body: CoreV1Event }) => void bodies.push(p) };
    const rec = new ApiEventRecorder(core as unknown as CoreV1Api, { warn: () => {} }, 'pod-1', () => now);
    await rec.record(ref, { type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.0.2.1"] from pool a' });
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.namespace).toBe('apps');
    expect(bodies[0]!.body).toMatchObject({
      metadata: { generateName: 'web.', namespace: 'apps' },
      involvedObject: ref,
      reason: 'IPAllocated',
      type: 'Normal',
      source: { component: 'ferrolb-controller' },
      reportingInstance: 'pod-1',
      firstTimestamp: now,
      count: 1,
    });
  });

  it('a failure is logged, not thrown; an over-long message is cut', async () => {
    const warnings: object[] = [];
    let sent = '';
    const core = {
      createNamespacedEvent: async (p: { body: CoreV1Event }) => {
        sent = p.body.message ?? '';
        throw Object.assign(new Error('HTTP-Code: 403'), { code: 403 });
      },
    };
    const rec = new ApiEventRecorder(
      core as unknown as CoreV1Api,
      { warn: (f) => void warnings.push(f) },
      'pod-1',
      () => now,
    );
    await rec.record(ref, { type: 'Warning', reason: 'AllocationFailed', message: 'x'.repeat(5000) });
    expect(sent.length).toBeLessThanOrEqual(1024);
    expect(warnings).toEqual([
      { object: 'Service/apps/web', reason: 'AllocationFailed', error: 'HTTP 403: HTTP-Code: 403' },
    ]);
  });
});
