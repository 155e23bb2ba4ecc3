// The memoised desired-state builder gives exactly buildDesired's answer (services, addresses, set members,
// clash winners, problems) while computing again only the Services whose objects changed.
import { describe, expect, it } from 'vitest';
import { fixtureDesired } from '../../../src/lab/ipvs-fixture.ts';
import { buildDesired, DesiredBuilder, type DesiredInput, type DesiredState } from '../../../src/ipvs/index.ts';

const NODE = { nodeName: 'fiv-node', nodeIPs: ['203.0.113.7'], defaultScheduler: 'rr' as const };

function plain(d: DesiredState): unknown {
  return {
    services: [...d.state.services].map(([k, s]) => [k, s.vs, [...s.reals]]),
    addresses: [...d.state.addresses],
    sets: [...d.state.sets].map(([k, s]) => [k, [...s.entries].sort()]),
    owners: [...d.owners],
    problems: d.problems.map((p) => `${p.service}: ${p.message}`).sort(),
  };
}

describe('DesiredBuilder', () => {
  it('matches buildDesired through a series of immutable edits and rebuilds only what changed', () => {
    const b = new DesiredBuilder();
    let d: DesiredInput = fixtureDesired(60);
    expect(plain(b.build(d, NODE))).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 60, reused: 0 });

    // Same objects: nothing rebuilt.
    expect(plain(b.build(d, NODE))).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 0, reused: 60 });

    // One EndpointSlice replaced by a changed copy.
    const slices = [...d.endpointSlices];
    slices[7] = { ...slices[7]!, endpoints: [{ addresses: ['203.0.113.99'], ready: true }] };
    d = { services: d.services, endpointSlices: slices };
    expect(plain(b.build(d, NODE))).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 1, reused: 59 });

    // A Service removed, one changed, and a new one that clashes with an existing virtual server.
    const services = d.services.filter((s) => s.name !== 'svc-3');
    services[10] = { ...services[10]!, ports: [{ name: 'http', protocol: 'UDP', port: 53 }] };
    services.push({ ...d.services[0]!, name: 'aaa-clash' });
    d = { services, endpointSlices: d.endpointSlices };
    const got = b.build(d, NODE);
    expect(plain(got)).toEqual(plain(buildDesired(d, NODE)));
    expect(b.stats).toEqual({ rebuilt: 2, reused: 58 });
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
