import { describe, expect, it } from 'vitest';
import { buildDesired, parseScheduler, serviceScheduler } from '../../../src/ipvs/plan/index.ts';
import { NODE, ep, slice, svc } from './fixtures.ts';

const reals = (d: ReturnType<typeof buildDesired>, key: string): string[] =>
  [...(d.state.services.get(key)?.reals.keys() ?? [])].sort();

describe('buildDesired', () => {
  it('makes one masquerading virtual server per LB IP × port × protocol with the ready endpoints', () => {
    const d = buildDesired(
      {
        services: [
          svc('web', ['192.0.2.10', '2001:db8::a'], {
            ports: [
              { name: 'http', protocol: 'TCP', port: 80 },
              { name: 'dns', protocol: 'UDP', port: 53 },
              { name: 'sig', protocol: 'SCTP', port: 3868 },
            ],
          }),
        ],
        endpointSlices: [
          slice('web', [ep('10.0.0.1'), ep('10.0.0.2', { nodeName: 'node-b' })], {
            ports: [
              { name: 'http', protocol: 'TCP', port: 8080 },
              { name: 'dns', protocol: 'UDP', port: 5353 },
              { name: 'sig', protocol: 'SCTP', port: 3868 },
            ],
          }),
          slice('web', [ep('2001:db8:1::1')], { addressType: 'IPv6' }),
        ],
      },
      NODE,
    );
    expect([...d.state.services.keys()].sort()).toEqual([
      'SCTP/192.0.2.10:3868',
      'SCTP/[2001:db8::a]:3868',
      'TCP/192.0.2.10:80',
      'TCP/[2001:db8::a]:80',
      'UDP/192.0.2.10:53',
      'UDP/[2001:db8::a]:53',
    ]);
    expect(reals(d, 'TCP/192.0.2.10:80')).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    expect(reals(d, 'UDP/192.0.2.10:53')).toEqual(['10.0.0.1:5353', '10.0.0.2:5353']);
    expect(reals(d, 'TCP/[2001:db8::a]:80')).toEqual(['[2001:db8:1::1]:8080']);
    expect(reals(d, 'UDP/[2001:db8::a]:53')).toEqual([]); // the IPv6 slice has no dns port
    expect(d.state.services.get('TCP/192.0.2.10:80')!.vs).toEqual({
      protocol: 'TCP',
      address: '192.0.2.10',
      family: 'ipv4',
      port: 80,
      scheduler: 'rr',
      persistence: undefined,
    });
    expect([...d.state.addresses.keys()].sort()).toEqual(['192.0.2.10', '2001:db8::a']);
    expect([...d.state.sets.get('KUBE-LOAD-BALANCER')!.entries].sort()).toEqual([
      '192.0.2.10,sctp:3868',
      '192.0.2.10,tcp:80',
      '192.0.2.10,udp:53',
    ]);
    expect(d.state.sets.get('KUBE-6-LOAD-BALANCER')!.entries.has('2001:db8::a,tcp:80')).toBe(true);
    expect(d.state.sets.get('KUBE-6-LOAD-BALANCER')!.family).toBe('ipv6');
    expect(d.state.sets.get('KUBE-LOAD-BALANCER-LOCAL')!.entries.size).toBe(0);
    expect(d.owners.get('TCP/192.0.2.10:80')).toBe('shop/web');
    expect(d.problems).toEqual([]);
  });

  it("externalTrafficPolicy Local: only this node's endpoints, a LOCAL member, and a virtual server even with none", () => {
    const d = buildDesired(
      {
        services: [
          svc('web', ['192.0.2.10'], { externalTrafficPolicy: 'Local' }),
          svc('api', ['192.0.2.11'], { externalTrafficPolicy: 'Local' }),
        ],
        endpointSlices: [
          slice('web', [ep('10.0.0.1'), ep('10.0.0.2', { nodeName: 'node-b' })]),
          slice('api', [ep('10.0.0.3', { nodeName: 'node-b' })]),
        ],
      },
      NODE,
    );
    expect(reals(d, 'TCP/192.0.2.10:80')).toEqual(['10.0.0.1:8080']);
    expect(reals(d, 'TCP/192.0.2.11:80')).toEqual([]);
    expect([...d.state.sets.get('KUBE-LOAD-BALANCER-LOCAL')!.entries].sort()).toEqual([
      '192.0.2.10,tcp:80',
      '192.0.2.11,tcp:80',
    ]);
  });

  it('terminating endpoints are left out while one is ready, and used (serving ones) when none is', () => {
    const base = [
      ep('10.0.0.1', { ready: false, serving: true, terminating: true }),
      ep('10.0.0.2', { ready: false, serving: false, terminating: true }),
    ];
    const withReady = buildDesired(
      { services: [svc('web', ['192.0.2.10'])], endpointSlices: [slice('web', [...base, ep('10.0.0.3')])] },
      NODE,
    );
    expect(reals(withReady, 'TCP/192.0.2.10:80')).toEqual(['10.0.0.3:8080']);
    const noneReady = buildDesired(
      { services: [svc('web', ['192.0.2.10'])], endpointSlices: [slice('web', base)] },
      NODE,
    );
    expect(reals(noneReady, 'TCP/192.0.2.10:80')).toEqual(['10.0.0.1:8080']);
    // Not ready, not terminating (starting up): never used.
    const starting = buildDesired(
      { services: [svc('web', ['192.0.2.10'])], endpointSlices: [slice('web', [ep('10.0.0.4', { ready: false })])] },
      NODE,
    );
    expect(reals(starting, 'TCP/192.0.2.10:80')).toEqual([]);
    // Unset ready means ready (Kubernetes' rule).
    const unset = buildDesired(
      { services: [svc('web', ['192.0.2.10'])], endpointSlices: [slice('web', [{ addresses: ['10.0.0.5'] }])] },
      NODE,
    );
    expect(reals(unset, 'TCP/192.0.2.10:80')).toEqual(['10.0.0.5:8080']);
  });

  it("takes the scheduler from the annotation, then kube-router's, then the node default; a bad one is reported", () => {
    const d = buildDesired(
      {
        services: [
          svc('a', ['192.0.2.1'], { annotations: { 'ferrolb.io/ipvs-scheduler': 'MH' } }),
          svc('b', ['192.0.2.2'], { annotations: { 'kube-router.io/service.scheduler': 'sh' } }),
          svc('c', ['192.0.2.3']),
          svc('d', ['192.0.2.4'], { annotations: { 'ferrolb.io/ipvs-scheduler': 'fastest' } }),
          svc('e', ['192.0.2.5'], { annotations: { 'ferrolb.io/ipvs-scheduler': 'weighted-least-connection' } }),
        ],
        endpointSlices: [],
      },
      { ...NODE, defaultScheduler: 'lc' },
    );
    const sched = (ip: string): string => d.state.services.get(`TCP/${ip}:80`)!.vs.scheduler;
    expect([
      sched('192.0.2.1'),
      sched('192.0.2.2'),
      sched('192.0.2.3'),
      sched('192.0.2.4'),
      sched('192.0.2.5'),
    ]).toEqual(['mh', 'sh', 'lc', 'lc', 'wlc']);
    expect(d.problems).toEqual([
      { service: 'shop/d', message: expect.stringContaining('unknown IPVS scheduler "fastest"') },
    ]);
    expect(parseScheduler('')).toBe('rr'); // kube-proxy: an empty scheduler means rr
    expect(parseScheduler('constructor')).toEqual({ error: expect.stringContaining('unknown IPVS scheduler') });
    expect(serviceScheduler({}, 'nq')).toEqual({ scheduler: 'nq' });
  });

  it('sessionAffinity ClientIP is persistence with its timeout (default 10800 s)', () => {
    const d = buildDesired(
      {
        services: [
          svc('a', ['192.0.2.1'], { sessionAffinity: 'ClientIP' }),
          svc('b', ['192.0.2.2'], { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 60 }),
        ],
        endpointSlices: [],
      },
      NODE,
    );
    expect(d.state.services.get('TCP/192.0.2.1:80')!.vs.persistence).toBe(10_800);
    expect(d.state.services.get('TCP/192.0.2.2:80')!.vs.persistence).toBe(60);
  });

  it('loadBalancerSourceRanges: FW + SOURCE-CIDR members per family, SOURCE-IP when a range holds a node IP, /0 is no firewall', () => {
    const d = buildDesired(
      {
        services: [
          svc('a', ['192.0.2.1', '2001:db8::1'], {
            loadBalancerSourceRanges: ['198.51.100.7/24', '203.0.113.0/24', '2001:db8:f::/48', 'bogus'],
          }),
          svc('b', ['192.0.2.2'], { loadBalancerSourceRanges: ['0.0.0.0/0'] }),
        ],
        endpointSlices: [],
      },
      NODE,
    );
    const set = (n: string): string[] => [...d.state.sets.get(n)!.entries].sort();
    expect(set('KUBE-LOAD-BALANCER-FW')).toEqual(['192.0.2.1,tcp:80']);
    expect(set('KUBE-LOAD-BALANCER-SOURCE-CIDR')).toEqual([
      '192.0.2.1,tcp:80,198.51.100.0/24',
      '192.0.2.1,tcp:80,203.0.113.0/24',
    ]);
    expect(set('KUBE-LOAD-BALANCER-SOURCE-IP')).toEqual(['192.0.2.1,tcp:80,192.0.2.1']);
    expect(set('KUBE-6-LOAD-BALANCER-FW')).toEqual(['2001:db8::1,tcp:80']);
    expect(set('KUBE-6-LOAD-BALANCER-SOURCE-CID')).toEqual(['2001:db8::1,tcp:80,2001:db8:f::/48']);
    expect(set('KUBE-6-LOAD-BALANCER-SOURCE-IP')).toEqual([]);
    expect(d.problems.map((p) => p.message)).toEqual([
      'loadBalancerSourceRanges: "bogus" is not a CIDR (missing "/prefix")',
    ]);
  });

  it('reports a bad LB IP and a clash on the same IP/port/protocol, and keeps the rest', () => {
    const d = buildDesired(
      {
        services: [
          svc('b', ['192.0.2.1']),
          svc('a', ['192.0.2.1', '192.0.2.300']),
          svc('c', ['192.0.2.1'], { ports: [{ name: 'x', protocol: 'UDP', port: 80 }] }),
        ],
        endpointSlices: [],
      },
      NODE,
    );
    expect(d.owners.get('TCP/192.0.2.1:80')).toBe('shop/a'); // sorted by name: a wins over b
    expect(d.owners.get('UDP/192.0.2.1:80')).toBe('shop/c');
    expect(d.problems).toEqual([
      { service: 'shop/a', message: 'LoadBalancer IP "192.0.2.300" is not an IP address; skipped' },
      { service: 'shop/b', message: 'TCP/192.0.2.1:80 is already programmed for shop/a; skipped' },
    ]);
  });
});
