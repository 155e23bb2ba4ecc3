// Desired states of any size for the IPVS tests and benchmark (documentation addresses only): N
// LoadBalancer Services, one TCP port each, 2 ready endpoints each. LB IPs: 192.0.2.10–255 and
// 198.51.100.0–255 (502 IPv4), then 2001:db8:1::/64 (IPv6). Every 10th Service is externalTrafficPolicy
// Local, every 7th has loadBalancerSourceRanges, so every ipset gets members.
import { formatIp, parseIp } from '../net/ip.ts';
import type { DesiredInput, EndpointSliceInput, ServiceInput } from '../ipvs/plan/index.ts';

export const FIXTURE_NODE = 'fiv-node';

export function fixtureLbIp(i: number): string {
  if (i < 246) return `192.0.2.${10 + i}`;
  if (i < 502) return `198.51.100.${i - 246}`;
  return formatIp('ipv6', parseIp('2001:db8:1::')!.value + BigInt(i - 501));
}

/** The i-th Service's endpoints after `round` rounds of churn (round r replaces the second endpoint of every Service with i % 10 === r % 10). */
function endpointsOf(i: number, v6: boolean, round: number): string[] {
  const churned = Array.from({ length: round }, (_, r) => r).filter((r) => r % 10 === i % 10).length;
  const a = (k: number): string =>
    v6 ? formatIp('ipv6', parseIp('2001:db8:2::')!.value + BigInt(k + 1)) : `203.0.113.${(k % 200) + 1}`;
  return [a(i * 3), a(i * 3 + 1 + churned * 997)];
}

export function fixtureDesired(n: number, round = 0): DesiredInput {
  const services: ServiceInput[] = [];
  const endpointSlices: EndpointSliceInput[] = [];
  for (let i = 0; i < n; i++) {
    const ip = fixtureLbIp(i);
    const v6 = ip.includes(':');
    const name = `svc-${i}`;
    services.push({
      namespace: 'bench',
      name,
      ingressIPs: [ip],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: i % 10 === 3 ? 'Local' : 'Cluster',
      sessionAffinity: i % 5 === 1 ? 'ClientIP' : 'None',
      loadBalancerSourceRanges: i % 7 === 2 ? (v6 ? ['2001:db8:f::/48'] : ['198.51.100.0/24', '203.0.113.0/24']) : [],
      annotations: i % 4 === 0 ? { 'ferrolb.io/ipvs-scheduler': 'wlc' } : {},
    });
    endpointSlices.push({
      namespace: 'bench',
      serviceName: name,
      addressType: v6 ? 'IPv6' : 'IPv4',
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
      endpoints: endpointsOf(i, v6, round).map((a) => ({ addresses: [a], ready: true, nodeName: FIXTURE_NODE })),
    });
  }
  return { services, endpointSlices };
}

/** The same desired state as Kubernetes objects (the `ferrolb ipvs --file` format). */
export function toKubeObjects(d: DesiredInput): unknown[] {
  return [
    ...d.services.map((s) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: s.namespace, name: s.name, annotations: s.annotations },
      spec: {
        type: 'LoadBalancer',
        ports: s.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port })),
        externalTrafficPolicy: s.externalTrafficPolicy,
        sessionAffinity: s.sessionAffinity,
        ...(s.sessionAffinityTimeoutSeconds !== undefined
          ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: s.sessionAffinityTimeoutSeconds } } }
          : {}),
        loadBalancerSourceRanges: s.loadBalancerSourceRanges,
      },
      status: { loadBalancer: { ingress: s.ingressIPs.map((ip) => ({ ip })) } },
    })),
    ...d.endpointSlices.map((e, i) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        namespace: e.namespace,
        name: `${e.serviceName}-${i}`,
        labels: { 'kubernetes.io/service-name': e.serviceName },
      },
      addressType: e.addressType,
      ports: e.ports,
      endpoints: e.endpoints.map((ep) => ({
        addresses: ep.addresses,
        conditions: { ready: ep.ready, serving: ep.serving, terminating: ep.terminating },
        nodeName: ep.nodeName,
      })),
    })),
  ];
}
