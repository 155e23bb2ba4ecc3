import { describe, expect, it } from 'vitest';
import type { AllocationRequest } from '../../../src/allocator/types.ts';
import { serviceToRequest, type ServiceLike, type ServiceRequestOptions } from '../../../src/k8s/service-request.ts';

function service(
  spec: ServiceLike['spec'] = {},
  annotations?: Record<string, string>,
  extraMeta: Partial<NonNullable<ServiceLike['metadata']>> = {},
): ServiceLike {
  return {
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      ...(annotations ? { annotations } : {}),
      ...extraMeta,
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP' }],
      selector: { tier: 'front', app: 'web' },
      ...spec,
    },
  };
}

type Want = { request: Partial<AllocationRequest> } | { skip: string } | { error: string[] };

interface Case {
  name: string;
  svc: ServiceLike;
  opts?: ServiceRequestOptions;
  want: Want;
}

const cases: Case[] = [
  {
    name: 'defaults: SingleStack IPv4, TCP, Cluster, backend key from the sorted selector',
    svc: service({ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }),
    want: {
      request: {
        key: 'shop/web',
        namespace: 'shop',
        labels: { app: 'web' },
        namespaceLabels: {},
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['ipv4'],
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        requestedIps: [],
        externalTrafficPolicy: 'Cluster',
        backendKey: 'app=web,tier=front',
      },
    },
  },
  {
    name: 'namespace labels are passed through; missing namespace is "default"',
    svc: { metadata: { name: 'x' }, spec: { type: 'LoadBalancer' } },
    opts: { namespaceLabels: { env: 'prod' } },
    want: {
      request: { key: 'default/x', namespace: 'default', namespaceLabels: { env: 'prod' }, ports: [], backendKey: '' },
    },
  },
  {
    name: 'ipFamilies IPv6/IPv4 are converted, order kept, policy read',
    svc: service({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], externalTrafficPolicy: 'Local' }),
    want: {
      request: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['ipv6', 'ipv4'], externalTrafficPolicy: 'Local' },
    },
  },
  {
    name: 'ipFamilies default from clusterIPs',
    svc: service({ clusterIPs: ['2001:db8::10', '192.0.2.10'], ipFamilyPolicy: 'PreferDualStack' }),
    want: { request: { ipFamilies: ['ipv6', 'ipv4'], ipFamilyPolicy: 'PreferDualStack' } },
  },
  {
    name: 'ipFamilies default from clusterIP; "None" carries no family',
    svc: service({ clusterIP: '2001:db8::10' }),
    want: { request: { ipFamilies: ['ipv6'] } },
  },
  {
    name: 'headless clusterIP None falls back to IPv4',
    svc: service({ clusterIP: 'None' }),
    want: { request: { ipFamilies: ['ipv4'] } },
  },
  { name: 'type ClusterIP is skipped', svc: service({ type: 'ClusterIP' }), want: { skip: 'type ClusterIP' } },
  {
    name: 'no type means ClusterIP: skipped',
    svc: { metadata: { name: 'x', namespace: 'y' }, spec: {} },
    want: { skip: 'not LoadBalancer' },
  },
  {
    name: 'a class while we have none: skipped',
    svc: service({ loadBalancerClass: 'other.io/lb' }),
    want: { skip: '"other.io/lb"' },
  },
  {
    name: 'our class: handled',
    svc: service({ loadBalancerClass: 'ferrolb.io/lb' }),
    opts: { lbClass: 'ferrolb.io/lb' },
    want: { request: { key: 'shop/web' } },
  },
  {
    name: 'another class while we have one: skipped',
    svc: service({ loadBalancerClass: 'other.io/lb' }),
    opts: { lbClass: 'ferrolb.io/lb' },
    want: { skip: 'not "ferrolb.io/lb"' },
  },
  {
    name: 'no class while we have one: skipped (MetalLB --lb-class semantics)',
    svc: service(),
    opts: { lbClass: 'ferrolb.io/lb' },
    want: { skip: 'no loadBalancerClass' },
  },
  {
    name: 'annotations under metallb.io/',
    svc: service(
      {},
      {
        'metallb.io/address-pool': 'gold',
        'metallb.io/allow-shared-ip': 'dns',
        'metallb.io/loadBalancerIPs': '192.0.2.5, 2001:DB8::5',
      },
    ),
    want: { request: { poolHint: 'gold', sharingKey: 'dns', requestedIps: ['192.0.2.5', '2001:db8::5'] } },
  },
  {
    name: 'annotations under the legacy metallb.universe.tf/',
    svc: service({}, { 'metallb.universe.tf/address-pool': 'gold', 'metallb.universe.tf/allow-shared-ip': 'dns' }),
    want: { request: { poolHint: 'gold', sharingKey: 'dns' } },
  },
  {
    name: 'both prefixes with the same value are fine',
    svc: service({}, { 'metallb.universe.tf/address-pool': 'gold', 'metallb.io/address-pool': 'gold' }),
    want: { request: { poolHint: 'gold' } },
  },
  {
    name: 'both prefixes with different values: error naming both',
    svc: service({}, { 'metallb.universe.tf/address-pool': 'gold', 'metallb.io/address-pool': 'silver' }),
    want: { error: ['shop/web', 'metallb.universe.tf/address-pool="gold"', 'metallb.io/address-pool="silver"'] },
  },
  {
    name: 'spec.loadBalancerIP is a requested IP',
    svc: service({ loadBalancerIP: '198.51.100.7' }),
    want: { request: { requestedIps: ['198.51.100.7'] } },
  },
  {
    name: 'spec.loadBalancerIP agreeing with the annotation is fine',
    svc: service({ loadBalancerIP: '198.51.100.7' }, { 'metallb.io/loadBalancerIPs': '198.51.100.7' }),
    want: { request: { requestedIps: ['198.51.100.7'] } },
  },
  {
    name: 'spec.loadBalancerIP disagreeing with the annotation: error',
    svc: service({ loadBalancerIP: '198.51.100.7' }, { 'metallb.io/loadBalancerIPs': '198.51.100.8' }),
    want: { error: ['198.51.100.7', '198.51.100.8'] },
  },
  {
    name: 'invalid loadBalancerIP: error naming it',
    svc: service({ loadBalancerIP: '198.51.100.700' }),
    want: { error: ['spec.loadBalancerIP', '198.51.100.700'] },
  },
  {
    name: 'invalid entry in the annotation: error naming it',
    svc: service({}, { 'metallb.io/loadBalancerIPs': '192.0.2.1,bogus' }),
    want: { error: ['"bogus"', 'loadBalancerIPs'] },
  },
  {
    name: 'bad ipFamilyPolicy',
    svc: service({ ipFamilyPolicy: 'Dual' }),
    want: { error: ['spec.ipFamilyPolicy', '"Dual"'] },
  },
  {
    name: 'bad ipFamilies entry',
    svc: service({ ipFamilies: ['IPv5'] }),
    want: { error: ['spec.ipFamilies[0]', '"IPv5"'] },
  },
  { name: 'bad port', svc: service({ ports: [{ port: 0 }] }), want: { error: ['spec.ports[0].port'] } },
  {
    name: 'bad protocol',
    svc: service({ ports: [{ port: 80, protocol: 'ICMP' }] }),
    want: { error: ['spec.ports[0].protocol', '"ICMP"'] },
  },
  {
    name: 'bad externalTrafficPolicy',
    svc: service({ externalTrafficPolicy: 'Nearest' }),
    want: { error: ['externalTrafficPolicy', '"Nearest"'] },
  },
  { name: 'no name', svc: { metadata: {}, spec: { type: 'LoadBalancer' } }, want: { error: ['metadata.name'] } },
  {
    name: 'labels not strings',
    svc: service({}, undefined, { labels: { a: 1 as unknown as string } }),
    want: { error: ['metadata.labels["a"]'] },
  },
  { name: 'not an object', svc: null as unknown as ServiceLike, want: { error: ['not an object'] } },
];

describe('serviceToRequest', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(20));
  for (const c of cases) {
    it(c.name, () => {
      const out = serviceToRequest(c.svc, c.opts);
      if ('request' in c.want) {
        expect(out.kind === 'request' ? 'request' : out, c.name).toBe('request');
        if (out.kind === 'request') expect(out.request).toMatchObject(c.want.request);
        // keys absent from the Service stay absent (no poolHint: undefined noise)
        if (out.kind === 'request' && !('poolHint' in c.want.request)) expect('poolHint' in out.request).toBe(false);
      } else if ('skip' in c.want) {
        expect(out.kind).toBe('skip');
        if (out.kind === 'skip') expect(out.reason).toContain(c.want.skip);
      } else {
        expect(out.kind).toBe('error');
        if (out.kind === 'error') for (const m of c.want.error) expect(out.message).toContain(m);
      }
    });
  }
});
