import { describe, expect, it } from 'vitest';
import { POOL_ANNOTATIONS, reconcileService, type ReconcileInput } from '../../../src/controller/reconcile.ts';

const [IO, UNIVERSE] = POOL_ANNOTATIONS;
const ours = { [IO]: 'pool-a', [UNIVERSE]: 'pool-a' };

function input(over: Partial<ReconcileInput>): ReconcileInput {
  return {
    service: { ingressIps: [], annotations: {} },
    previous: undefined,
    outcome: { kind: 'skip', reason: 'not a LoadBalancer' },
    ownedIps: [],
    lastFailure: undefined,
    ...over,
  };
}

describe('reconcileService', () => {
  it('a new allocation writes status, both annotations and an IPAllocated Event', () => {
    const d = reconcileService(
      input({
        outcome: { kind: 'assigned', assignment: { key: 'ns/a', pool: 'pool-a', ips: ['192.0.2.1', '2001:db8::1'] } },
      }),
    );
    expect(d.ingressIps).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(d.annotations).toEqual(ours);
    expect(d.events).toEqual([
      { type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.0.2.1" "2001:db8::1"] from pool pool-a' },
    ]);
    expect(d.allocated).toBe(true);
    expect(d.failure).toBeUndefined();
  });

  it('an unchanged assignment already in status and annotated needs nothing', () => {
    const assignment = { key: 'ns/a', pool: 'pool-a', ips: ['192.0.2.1'] };
    const d = reconcileService(
      input({
        service: { ingressIps: ['192.0.2.1'], annotations: ours },
        previous: assignment,
        outcome: { kind: 'assigned', assignment },
      }),
    );
    expect(d).toEqual({
      ingressIps: undefined,
      annotations: undefined,
      events: [],
      failure: undefined,
      allocated: false,
    });
  });

  it('a restore (no previous assignment, status already holds the IPs) records no Event', () => {
    const d = reconcileService(
      input({
        service: { ingressIps: ['192.0.2.7'], annotations: {} },
        outcome: { kind: 'assigned', assignment: { key: 'ns/a', pool: 'pool-a', ips: ['192.0.2.7'] } },
      }),
    );
    expect(d.ingressIps).toBeUndefined();
    expect(d.annotations).toEqual(ours);
    expect(d.events).toEqual([]);
    expect(d.allocated).toBe(false);
  });

  it('a moved assignment (pool shrunk) rewrites status and records IPAllocated', () => {
    const d = reconcileService(
      input({
        service: { ingressIps: ['192.0.2.200'], annotations: ours },
        previous: undefined,
        outcome: { kind: 'assigned', assignment: { key: 'ns/a', pool: 'pool-b', ips: ['198.51.100.1'] } },
      }),
    );
    expect(d.ingressIps).toEqual(['198.51.100.1']);
    expect(d.annotations).toEqual({ [IO]: 'pool-b', [UNIVERSE]: 'pool-b' });
    expect(d.events.map((e) => e.reason)).toEqual(['IPAllocated']);
  });

  it('a failure clears the status and annotations and records AllocationFailed once', () => {
    const error = { code: 'PoolExhausted' as const, message: 'pool "pool-a" has no free IPv4 address' };
    const first = reconcileService(
      input({ service: { ingressIps: ['192.0.2.1'], annotations: ours }, outcome: { kind: 'failed', error } }),
    );
    expect(first.ingressIps).toEqual([]);
    expect(first.annotations).toEqual({ [IO]: null, [UNIVERSE]: null });
    expect(first.events).toEqual([{ type: 'Warning', reason: 'AllocationFailed', message: error.message }]);
    expect(first.failure).toBe(error.message);
    const again = reconcileService(input({ outcome: { kind: 'failed', error }, lastFailure: error.message }));
    expect(again.events).toEqual([]);
    expect(again.ingressIps).toBeUndefined();
    expect(again.annotations).toBeUndefined();
  });

  it('an invalid Service records AllocationFailed with the parse message', () => {
    const d = reconcileService(input({ outcome: { kind: 'invalid', message: 'bad loadBalancerIP "x"' } }));
    expect(d.events).toEqual([{ type: 'Warning', reason: 'AllocationFailed', message: 'bad loadBalancerIP "x"' }]);
  });

  it('an edit that cannot be met keeps the IP the Service had, and says so', () => {
    const kept = { key: 'ns/a', pool: 'pool-a', ips: ['192.0.2.1'] };
    const error = { code: 'RequestedIpInUse' as const, message: 'ns/a: 192.0.2.9 is in use by ns/b' };
    const d = reconcileService(
      input({
        service: { ingressIps: ['192.0.2.1'], annotations: ours },
        previous: kept,
        outcome: { kind: 'failed', error, kept },
      }),
    );
    expect(d.ingressIps).toBeUndefined(); // status untouched
    expect(d.annotations).toBeUndefined();
    expect(d.events).toEqual([
      {
        type: 'Warning',
        reason: 'AllocationFailed',
        message: 'ns/a: 192.0.2.9 is in use by ns/b; keeping IP ["192.0.2.1"] from pool pool-a',
      },
    ]);
    const invalid = reconcileService(
      input({
        service: { ingressIps: [], annotations: {} },
        previous: kept,
        outcome: { kind: 'invalid', message: 'bad loadBalancerIP "x"', kept },
      }),
    );
    expect(invalid.ingressIps).toEqual(['192.0.2.1']);
    expect(invalid.annotations).toEqual({ [IO]: 'pool-a', [UNIVERSE]: 'pool-a' });
  });

  it('a Service leaving our class loses only the IPs we wrote and our annotations', () => {
    const previous = { key: 'ns/a', pool: 'pool-a', ips: ['192.0.2.1'] };
    const d = reconcileService(
      input({
        service: { ingressIps: ['192.0.2.1', '203.0.113.9'], annotations: { ...ours, other: 'x' } },
        previous,
        ownedIps: previous.ips,
        outcome: { kind: 'skip', reason: 'loadBalancerClass "other" is not ours' },
      }),
    );
    expect(d.ingressIps).toEqual(['203.0.113.9']);
    expect(d.annotations).toEqual({ [IO]: null, [UNIVERSE]: null });
    expect(d.events.map((e) => e.reason)).toEqual(['IPReleased']);
  });

  it('a Service that was never ours is left alone, annotation included', () => {
    const d = reconcileService(
      input({
        service: { ingressIps: ['203.0.113.9'], annotations: ours },
        outcome: { kind: 'skip', reason: 'loadBalancerClass "other" is not ours' },
      }),
    );
    expect(d).toEqual({
      ingressIps: undefined,
      annotations: undefined,
      events: [],
      failure: undefined,
      allocated: false,
    });
  });
});
