// The memoised desired-state builder gives exactly buildDesired's answer (services, addresses, set members,
// clash winners, problems) while computing again only the Services whose objects changed.
import { describe, expect, it } from 'vitest';
import { fixtureDesired } from '../../../src/lab/ipvs-fixture.ts';
import { canonicalIp } from '../../../src/net/ip.ts';
import { canonicalIpMemo } from '../../../src/ipvs/plan/ip-memo.ts';
import {
  applyPlan,
  buildDesired,
  describePlan,
  DesiredBuilder,
  driftOf,
  emptyKernelState,
  planChanges,
  restrictState,
  type DesiredInput,
  type DesiredState,
} from '../../../src/ipvs/index.ts';

const NODE = { nodeName: 'fiv-node', nodeIPs: ['203.0.113.7'], defaultScheduler: 'rr' as const };

function plain(d: DesiredState): unknown {
  return {
    services: [...d.state.services].map(([k, s]) => [k, s.vs, [...s.reals].sort()]).sort(),
    addresses: [...d.state.addresses].sort(),
    sets: [...d.state.sets].map(([k, s]) => [k, [...s.entries].sort()]).sort(),
    owners: [...d.owners].sort(),
    problems: d.problems.map((p) => `${p.service}: ${p.message}`).sort(),
  };
}

describe('DesiredBuilder', () => {
  it('matches buildDesired through a series of immutable edits and rebuilds only what changed', () => {
    const b = new DesiredBuilder();
    let d: DesiredInput = fixtureDesired(60);
    expect(plain(b.build(d, NODE))).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 60, reused: 0, quick: false });

    // Same objects: nothing rebuilt.
    expect(plain(b.build(d, NODE))).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 0, reused: 60, quick: true });

    // One EndpointSlice replaced by a changed copy.
    const slices = [...d.endpointSlices];
    slices[7] = { ...slices[7]!, endpoints: [{ addresses: ['203.0.113.99'], ready: true }] };
    d = { services: d.services, endpointSlices: slices };
    expect(plain(b.build(d, NODE))).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 1, reused: 59, quick: true });

    // A Service removed, one changed, and a new one that clashes with an existing virtual server.
    const services = d.services.filter((s) => s.name !== 'svc-3');
    services[10] = { ...services[10]!, ports: [{ name: 'http', protocol: 'UDP', port: 53 }] };
    services.push({ ...d.services[0]!, name: 'aaa-clash' });
    d = { services, endpointSlices: d.endpointSlices };
    const got = b.build(d, NODE);
    expect(plain(got)).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 2, reused: 58, quick: false });
    // The clash goes to the first Service in namespace/name order, as buildDesired settles it.
    expect(
      got.problems.some(
        (p) => p.service === 'bench/svc-0' && /already programmed for bench\/aaa-clash/.test(p.message),
      ),
    ).toBe(true);

    // A different node context rebuilds everything.
    b.build(d, { ...NODE, nodeName: 'other' });
    expect(b.stats.reused).toBe(0);
  });
});

describe('quick builds and scoped diffs', () => {
  it('over random immutable edits, the scoped plan equals the full plan and leaves 0 drift', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = (n: number): number => Math.floor(random() * n);
    const b = new DesiredBuilder();
    let d: DesiredInput = fixtureDesired(40);
    const node = NODE;
    let model = applyPlan(
      emptyKernelState(),
      planChanges({
        desired: b.build(d, node).state,
        observed: emptyKernelState(),
        draining: new Map(),
        now: 0,
        drainTimeoutMs: 0,
      }),
    );
    let quick = 0;
    for (let step = 0; step < 300; step++) {
      const services = [...d.services];
      const slices = [...d.endpointSlices];
      const i = pick(services.length);
      const kind = pick(7);
      if (kind === 0) {
        const s = slices[i]!;
        const v6 = s.addressType === 'IPv6';
        slices[i] = {
          ...s,
          endpoints: [
            { addresses: [v6 ? `2001:db8:4::${pick(50) + 1}` : `203.0.113.${pick(50) + 1}`], ready: pick(4) > 0 },
          ],
        };
      } else if (kind === 1) {
        services[i] = {
          ...services[i]!,
          annotations: { 'ferrolb.io/ipvs-scheduler': ['rr', 'sh', 'wlc', 'bogus'][pick(4)]! },
        };
      } else if (kind === 2) {
        services[i] = { ...services[i]!, ports: [{ name: 'http', protocol: 'TCP', port: 80 + pick(3) }] };
      } else if (kind === 3) {
        // Move to another Service's IP (sharing, or a clash when the port is the same too).
        services[i] = { ...services[i]!, ingressIPs: [...services[pick(services.length)]!.ingressIPs] };
      } else if (kind === 4) {
        services[i] = { ...services[i]!, loadBalancerSourceRanges: pick(2) ? ['198.51.100.0/25'] : [] };
      } else if (kind === 5) {
        services[i] = { ...services[i]!, externalTrafficPolicy: pick(2) ? 'Local' : 'Cluster' };
      } else if (services.length > 30) {
        services.splice(i, 1); // a removal: a full build
      }
      d = { services, endpointSlices: slices };
      const got = b.build(d, node);
      const want = buildDesired(d, node);
      expect(plain(got), `step ${step}`).toEqual(plain(want));
      const full = planChanges({
        desired: want.state,
        observed: model,
        draining: new Map(),
        now: 0,
        drainTimeoutMs: 0,
      });
      if (got.dirty) {
        quick++;
        const scoped = planChanges({
          desired: restrictState(got.state, got.dirty),
          observed: restrictState(model, got.dirty),
          draining: new Map(),
          now: 0,
          drainTimeoutMs: 0,
        });
        expect(describePlan(scoped).sort(), `step ${step}`).toEqual(describePlan(full).sort());
        model = applyPlan(model, scoped);
      } else model = applyPlan(model, full);
      expect(driftOf(want.state, model).lines, `step ${step}`).toEqual([]);
    }
    // Most steps took the quick path (the rest: removals, clashes), so both paths were exercised.
    expect(quick).toBeGreaterThan(150);
    expect(quick).toBeLessThan(300);
  });
});

describe('canonicalIpMemo', () => {
  it('answers as canonicalIp does, also for texts that only look like dotted quads', () => {
    const texts = [
      '192.0.2.1',
      '0.0.0.0',
      '255.255.255.255',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3',
      '1.2.3.4.5',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1.2.3.4/32',
      '2001:db8::1',
      '2001:DB8:0:0::1',
      '::ffff:192.0.2.1',
      '',
      'x',
    ];
    for (const t of texts) expect(canonicalIpMemo(t), t).toBe(canonicalIp(t));
  });
});
