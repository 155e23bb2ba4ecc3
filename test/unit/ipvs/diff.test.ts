import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPlan,
  buildDesired,
  cloneState,
  describePlan,
  driftOf,
  emptyKernelState,
  planChanges,
  planSize,
  renderAddressAdds,
  renderAddressDels,
  renderIpsetBatch,
  renderIpvsBatch,
  type DesiredInput,
  type KernelState,
  type Plan,
} from '../../../src/ipvs/plan/index.ts';
import { NODE, ep, slice, svc } from './fixtures.ts';

const DRAIN = 60_000;
const desiredOf = (input: DesiredInput): KernelState => buildDesired(input, NODE).state;

function plan(
  desired: KernelState,
  observed: KernelState,
  now = 0,
  draining: ReadonlyMap<string, number> = new Map(),
): Plan {
  return planChanges({ desired, observed, draining, now, drainTimeoutMs: DRAIN });
}

/** The kernel after a plan, with connection counts as given (the kernel's own, in a real run). */
function converge(desired: KernelState, observed: KernelState): KernelState {
  return applyPlan(cloneState(observed), plan(desired, observed));
}

const two: DesiredInput = {
  services: [
    svc('web', ['192.0.2.10']),
    svc('api', ['192.0.2.11'], { ports: [{ name: 'http', protocol: 'UDP', port: 53 }] }),
  ],
  endpointSlices: [
    slice('web', [ep('10.0.0.1'), ep('10.0.0.2')]),
    slice('api', [ep('10.0.0.3')], { ports: [{ name: 'http', protocol: 'UDP', port: 5353 }] }),
  ],
};

describe('planChanges', () => {
  it('from nothing: every set, address, virtual and real server and member once; then nothing left to do', () => {
    const desired = desiredOf(two);
    const p = plan(desired, emptyKernelState());
    expect(p.createSets).toHaveLength(10);
    expect(p.addAddresses.map((a) => a.address).sort()).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(renderIpvsBatch(p).split('\n').filter(Boolean).sort()).toEqual([
      '-A -t 192.0.2.10:80 -s rr',
      '-A -u 192.0.2.11:53 -s rr',
      '-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 1',
      '-a -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 1',
      '-a -u 192.0.2.11:53 -r 10.0.0.3:5353 -m -w 1',
    ]);
    expect(renderIpsetBatch(p)).toContain(
      'create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536\n',
    );
    expect(renderIpsetBatch(p)).toContain('add KUBE-LOAD-BALANCER 192.0.2.11,udp:53\n');
    expect(renderAddressAdds(p, 'kube-ipvs0')).toBe(
      'address add 192.0.2.11/32 dev kube-ipvs0\naddress add 192.0.2.10/32 dev kube-ipvs0\n',
    ); // Services in name order: api, web;
    const after = applyPlan(emptyKernelState(), p);
    expect(planSize(plan(desired, after))).toBe(0);
    expect(driftOf(desired, after)).toEqual({ lines: [], draining: 0 });
  });

  it('a single endpoint change is a single line', () => {
    const observed = converge(desiredOf(two), emptyKernelState());
    const changed = desiredOf({
      ...two,
      endpointSlices: [slice('web', [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.9')]), two.endpointSlices[1]!],
    });
    const p = plan(changed, observed);
    expect(describePlan(p)).toEqual(['add-real TCP/192.0.2.10:80 -> 10.0.0.9:8080 weight=1']);
  });

  it('edits a virtual server in place when its scheduler or persistence changes (no delete/re-add, no dropped connections)', () => {
    const observed = converge(desiredOf(two), emptyKernelState());
    const changed = desiredOf({
      ...two,
      services: [
        svc('web', ['192.0.2.10'], { sessionAffinity: 'ClientIP', annotations: { 'ferrolb.io/ipvs-scheduler': 'sh' } }),
        two.services[1]!,
      ],
    });
    const p = plan(changed, observed);
    expect(renderIpvsBatch(p)).toBe('-E -t 192.0.2.10:80 -s sh -p 10800\n');
    expect(planSize(p)).toBe(1);
  });

  it('a removed Service loses its virtual server, members and address, in an order that keeps ownership provable', () => {
    const observed = converge(desiredOf(two), emptyKernelState());
    const p = plan(desiredOf({ ...two, services: [two.services[0]!] }), observed);
    expect(describePlan(p)).toEqual([
      'del-service UDP/192.0.2.11:53',
      'del-member KUBE-LOAD-BALANCER 192.0.2.11,udp:53',
      'del-address 192.0.2.11',
    ]);
    expect(renderAddressDels(p, 'kube-ipvs0')).toBe('address del 192.0.2.11/32 dev kube-ipvs0\n');
  });

  it("never touches what is not FerroLB's: foreign virtual servers, addresses on other interfaces, foreign set members", () => {
    const observed = converge(desiredOf(two), emptyKernelState());
    observed.services.set('TCP/198.51.100.5:443', {
      vs: { protocol: 'TCP', address: '198.51.100.5', family: 'ipv4', port: 443, scheduler: 'wlc' },
      reals: new Map([['10.9.9.9:443', { address: '10.9.9.9', port: 443, weight: 1 }]]),
    });
    observed.addresses.set('198.51.100.6', { address: '198.51.100.6', family: 'ipv4', owned: false });
    observed.sets.get('KUBE-LOAD-BALANCER')!.entries.add('198.51.100.5,tcp:443');
    // A stray member for an address FerroLB owns is FerroLB's to remove.
    observed.sets.get('KUBE-LOAD-BALANCER')!.entries.add('192.0.2.10,tcp:81');
    const p = plan(desiredOf(two), observed);
    expect(describePlan(p)).toEqual(['del-member KUBE-LOAD-BALANCER 192.0.2.10,tcp:81']);
  });

  it('takes over a virtual server for a desired IP that is not yet on the interface', () => {
    const observed = emptyKernelState();
    observed.services.set('TCP/192.0.2.10:80', {
      vs: { protocol: 'TCP', address: '192.0.2.10', family: 'ipv4', port: 80, scheduler: 'wlc' },
      reals: new Map([['10.0.0.1:8080', { address: '10.0.0.1', port: 8080, weight: 1 }]]),
    });
    const p = plan(
      desiredOf({ services: [svc('web', ['192.0.2.10'])], endpointSlices: [slice('web', [ep('10.0.0.1')])] }),
      observed,
    );
    expect(p.ipvs.map((c) => c.op)).toEqual(['edit-service']);
  });
});

describe('graceful termination', () => {
  const one = (eps: ReturnType<typeof ep>[]): KernelState =>
    desiredOf({ services: [svc('web', ['192.0.2.10'])], endpointSlices: [slice('web', eps)] });
  const key = 'TCP/192.0.2.10:80->10.0.0.2:8080';
  const withConns = (s: KernelState, active: number, inactive: number): KernelState => {
    const r = s.services.get('TCP/192.0.2.10:80')!.reals;
    const cur = r.get('10.0.0.2:8080')!;
    r.set('10.0.0.2:8080', { ...cur, activeConns: active, inactiveConns: inactive });
    return s;
  };

  it('a removed endpoint goes to weight 0, stays while it has connections, and is deleted once they reach 0', () => {
    let kernel = withConns(converge(one([ep('10.0.0.1'), ep('10.0.0.2')]), emptyKernelState()), 2, 5);
    const want = one([ep('10.0.0.1')]);
    const p1 = plan(want, kernel, 1000);
    expect(describePlan(p1)).toEqual(['drain-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 weight=1→0']);
    expect(renderIpvsBatch(p1)).toBe('-e -t 192.0.2.10:80 -r 10.0.0.2:8080 -m -w 0\n');
    expect(p1.draining).toEqual(new Map([[key, 1000]]));
    expect(p1.nextDrainDeadline).toBe(1000 + DRAIN);
    kernel = applyPlan(kernel, p1);
    expect(driftOf(want, kernel)).toEqual({ lines: [], draining: 1 });
    // Still connections: nothing to do, the drain start is kept.
    const p2 = plan(want, kernel, 5000, p1.draining);
    expect(planSize(p2)).toBe(0);
    expect(p2.draining.get(key)).toBe(1000);
    // Connections gone: deleted.
    kernel = withConns(kernel, 0, 0);
    const p3 = plan(want, kernel, 6000, p2.draining);
    expect(describePlan(p3)).toEqual(['del-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 (drained)']);
    expect(p3.draining.size).toBe(0);
  });

  it('deletes at the drain timeout even with connections; a terminating endpoint drains the same way', () => {
    const kernel = withConns(converge(one([ep('10.0.0.1'), ep('10.0.0.2')]), emptyKernelState()), 1, 0);
    const want = one([ep('10.0.0.1'), ep('10.0.0.2', { ready: false, serving: true, terminating: true })]);
    const p1 = plan(want, kernel, 0);
    expect(p1.ipvs.map((c) => c.op)).toEqual(['edit-real']);
    const drained = applyPlan(kernel, p1);
    expect(planSize(plan(want, drained, DRAIN - 1, p1.draining))).toBe(0);
    expect(describePlan(plan(want, drained, DRAIN, p1.draining))).toEqual([
      'del-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 (drain-timeout)',
    ]);
  });

  it('after a restart (no drain memory) the drain starts again from now and never cuts early; unknown counts wait', () => {
    const kernel = converge(one([ep('10.0.0.1'), ep('10.0.0.2')]), emptyKernelState());
    kernel.services
      .get('TCP/192.0.2.10:80')!
      .reals.set('10.0.0.2:8080', { address: '10.0.0.2', port: 8080, weight: 0 });
    const p = plan(one([ep('10.0.0.1')]), kernel, 500_000);
    expect(planSize(p)).toBe(0);
    expect(p.draining.get(key)).toBe(500_000);
    expect(p.drainingWithoutCounts).toBe(1);
  });

  it('an endpoint that comes back while draining gets its weight back', () => {
    let kernel = withConns(converge(one([ep('10.0.0.1'), ep('10.0.0.2')]), emptyKernelState()), 1, 0);
    const p1 = plan(one([ep('10.0.0.1')]), kernel, 0);
    kernel = applyPlan(kernel, p1);
    const p2 = plan(one([ep('10.0.0.1'), ep('10.0.0.2')]), kernel, 10, p1.draining);
    expect(describePlan(p2)).toEqual(['edit-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 weight=0→1']);
    expect(p2.draining.size).toBe(0);
  });
});

describe('planChanges properties', () => {
  const ips = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1', '2001:db8::2'];
  const arbInput: fc.Arbitrary<DesiredInput> = fc
    .array(
      fc.record({
        ips: fc.subarray(ips, { minLength: 1 }),
        port: fc.constantFrom(80, 443, 53),
        proto: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
        local: fc.boolean(),
        affinity: fc.boolean(),
        sched: fc.constantFrom('', 'rr', 'sh', 'mh', 'wlc'),
        ranges: fc.subarray(['198.51.100.0/24', '203.0.113.0/25', '2001:db8:f::/48']),
        eps4: fc.subarray(['10.0.0.1', '10.0.0.2', '10.0.0.3']),
        eps6: fc.subarray(['2001:db8:1::1', '2001:db8:1::2']),
      }),
      { maxLength: 6 },
    )
    .map((rows) => ({
      services: rows.map((r, i) =>
        svc(`s${i}`, r.ips, {
          ports: [{ name: 'p', protocol: r.proto, port: r.port }],
          externalTrafficPolicy: r.local ? 'Local' : 'Cluster',
          sessionAffinity: r.affinity ? 'ClientIP' : 'None',
          annotations: r.sched ? { 'ferrolb.io/ipvs-scheduler': r.sched } : {},
          loadBalancerSourceRanges: r.ranges,
        }),
      ),
      endpointSlices: rows.flatMap((r, i) => [
        slice(
          `s${i}`,
          r.eps4.map((a) => ep(a)),
          { ports: [{ name: 'p', protocol: r.proto, port: 9000 }] },
        ),
        slice(
          `s${i}`,
          r.eps6.map((a) => ep(a, { nodeName: 'node-b' })),
          { addressType: 'IPv6', ports: [{ name: 'p', protocol: r.proto, port: 9000 }] },
        ),
      ]),
    }));

  it('any state A → any state B converges with 0 drift (drained servers at 0 connections), and then nothing is left to do', () => {
    fc.assert(
      fc.property(arbInput, arbInput, (a, b) => {
        const kernelA = converge(desiredOf(a), emptyKernelState());
        // Counts read from the kernel: every real idle, so removals finish at once.
        for (const s of kernelA.services.values())
          for (const [k, r] of s.reals) s.reals.set(k, { ...r, activeConns: 0, inactiveConns: 0 });
        const want = desiredOf(b);
        const after = applyPlan(cloneState(kernelA), plan(want, kernelA));
        expect(driftOf(want, after)).toEqual({ lines: [], draining: 0 });
        expect(planSize(plan(want, after))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('with busy real servers, nothing desired is ever missing and only weight-0 servers are extra', () => {
    fc.assert(
      fc.property(arbInput, arbInput, (a, b) => {
        const kernelA = converge(desiredOf(a), emptyKernelState());
        for (const s of kernelA.services.values())
          for (const [k, r] of s.reals) s.reals.set(k, { ...r, activeConns: 1, inactiveConns: 0 });
        const want = desiredOf(b);
        const after = applyPlan(cloneState(kernelA), plan(want, kernelA));
        expect(driftOf(want, after).lines).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
