// Small builders for the IPVS plan tests.
import type { EndpointInput, EndpointSliceInput, NodeContext, ServiceInput } from '../../../src/ipvs/plan/index.ts';

export const NODE: NodeContext = { nodeName: 'node-a', defaultScheduler: 'rr', nodeIPs: ['203.0.113.10'] };

export function svc(name: string, ips: string[], over: Partial<ServiceInput> = {}): ServiceInput {
  return {
    namespace: 'shop',
    name,
    ingressIPs: ips,
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    externalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    loadBalancerSourceRanges: [],
    annotations: {},
    ...over,
  };
}

export function ep(address: string, over: Partial<EndpointInput> = {}): EndpointInput {
  return { addresses: [address], ready: true, nodeName: 'node-a', ...over };
}

export function slice(
  service: string,
  endpoints: EndpointInput[],
  over: Partial<EndpointSliceInput> = {},
): EndpointSliceInput {
  return {
    namespace: 'shop',
    serviceName: service,
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints,
    ...over,
  };
}
