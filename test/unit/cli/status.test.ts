import { describe, expect, it } from 'vitest';
import { formatStatusTable, statusCommand, statusRows, STATUS_USAGE } from '../../../src/cli/status.ts';

const svc = (ns: string, name: string, ips: string[], pool?: string, cls?: string) => ({
  metadata: {
    namespace: ns,
    name,
    annotations: (pool ? { 'metallb.io/ip-allocated-from-pool': pool } : {}) as Record<string, string>,
  },
  spec: { type: 'LoadBalancer', ...(cls ? { loadBalancerClass: cls } : {}) },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});
const st = (ns: string, name: string, node: string, extra: object = {}) => ({
  status: { node, serviceName: name, serviceNamespace: ns, ...extra },
});

describe('ferrolb status', () => {
  it('joins Services with the status objects: Layer 2 owner, BGP nodes and peers, nobody', () => {
    const rows = statusRows(
      [
        svc('shop', 'web', ['192.0.2.1'], 'lan'),
        svc('shop', 'api', ['198.51.100.1'], 'wan'),
        svc('shop', 'idle', ['192.0.2.2'], 'lan'),
        svc('x', 'other', ['192.0.2.3'], 'lan', 'else'),
        { metadata: { name: 'np' }, spec: { type: 'NodePort' } },
      ],
      [st('shop', 'web', 'n2', { interfaces: [{ name: 'eth1' }] })],
      [st('shop', 'api', 'n3', { peers: ['r1'] }), st('shop', 'api', 'n1', { peers: ['r2', 'r1'] })],
      undefined,
    );
    expect(rows).toEqual([
      {
        service: 'shop/api',
        ips: ['198.51.100.1'],
        pool: 'wan',
        mode: 'bgp',
        layer2: [],
        bgp: [
          { node: 'n1', peers: ['r1', 'r2'] },
          { node: 'n3', peers: ['r1'] },
        ],
      },
      { service: 'shop/idle', ips: ['192.0.2.2'], pool: 'lan', mode: 'none', layer2: [], bgp: [] },
      {
        service: 'shop/web',
        ips: ['192.0.2.1'],
        pool: 'lan',
        mode: 'layer2',
        layer2: [{ node: 'n2', interfaces: ['eth1'] }],
        bgp: [],
      },
    ]);
    expect(formatStatusTable(rows)).toBe(
      [
        'SERVICE    IPS           POOL  MODE    ANNOUNCED BY',
        'shop/api   198.51.100.1  wan   bgp     n1 -> r1,r2; n3 -> r1',
        'shop/idle  192.0.2.2     lan   none    nobody (no eligible node or no endpoint)',
        'shop/web   192.0.2.1     lan   layer2  n2 (eth1)',
        '',
      ].join('\n'),
    );
  });

  it('says when two nodes announce one Layer 2 Service', () => {
    const rows = statusRows([svc('a', 'b', ['192.0.2.1'])], [st('a', 'b', 'n1'), st('a', 'b', 'n2')], [], undefined);
    expect(formatStatusTable(rows)).toMatch(/n1, n2 \[more than one owner\]/);
  });

  it('has a real --help and rejects bad flags', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    expect(await statusCommand(['--help'], io)).toBe(0);
    expect(out.join('')).toBe(STATUS_USAGE);
    expect(await statusCommand(['-o', 'yaml'], io)).toBe(2);
    expect(err.join('')).toMatch(/--output "yaml" is not table or json/);
    expect(await statusCommand(['--bogus'], io)).toBe(2);
  });
});
