import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { readObjects } from '../../../src/cli/allocate.ts';
import {
  buildDesired,
  desiredFromKube,
  renderIpsetBatch,
  renderIpvsBatch,
  planChanges,
  emptyKernelState,
} from '../../../src/ipvs/plan/index.ts';
import { fixtureDesired, toKubeObjects } from '../../../src/lab/ipvs-fixture.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('the desired-state file (examples/ipvs/desired.yaml)', () => {
  it('reads into the batches the README shows', () => {
    const file = 'examples/ipvs/desired.yaml';
    const { objects, errors } = readObjects({ name: file, text: readFileSync(file, 'utf8') });
    expect(errors).toEqual([]);
    const k = desiredFromKube(objects);
    expect(k.problems).toEqual([]);
    expect(k.input.services.map((s) => `${s.namespace}/${s.name}`)).toEqual(['shop/web', 'infra/dns']);
    expect(k.input.endpointSlices).toHaveLength(3);
    const d = buildDesired(k.input, { nodeName: 'node-a', nodeIPs: [], defaultScheduler: 'rr' });
    expect(d.problems).toEqual([]);
    const plan = planChanges({
      desired: d.state,
      observed: emptyKernelState(),
      draining: new Map(),
      now: 0,
      drainTimeoutMs: 1,
    });
    expect(renderIpvsBatch(plan)).toBe(
      [
        '-A -u 192.0.2.53:53 -s rr',
        '-a -u 192.0.2.53:53 -r 203.0.113.53:5353 -m -w 1',
        '-A -t 192.0.2.53:53 -s rr',
        '-a -t 192.0.2.53:53 -r 203.0.113.53:5353 -m -w 1',
        '-A -t 192.0.2.10:80 -s wlc -p 600',
        '-a -t 192.0.2.10:80 -r 203.0.113.21:8080 -m -w 1',
        '-A -t [2001:db8::10]:80 -s wlc -p 600',
        '-a -t [2001:db8::10]:80 -r [2001:db8:2::21]:8080 -m -w 1',
        '',
      ].join('\n'),
    );
    const sets = renderIpsetBatch(plan)
      .split('\n')
      .filter((l) => l.startsWith('add '));
    expect(sets).toEqual([
      'add KUBE-LOAD-BALANCER 192.0.2.53,udp:53',
      'add KUBE-LOAD-BALANCER 192.0.2.53,tcp:53',
      'add KUBE-LOAD-BALANCER 192.0.2.10,tcp:80',
      'add KUBE-LOAD-BALANCER-LOCAL 192.0.2.53,udp:53',
      'add KUBE-LOAD-BALANCER-LOCAL 192.0.2.53,tcp:53',
      'add KUBE-LOAD-BALANCER-FW 192.0.2.10,tcp:80',
      'add KUBE-LOAD-BALANCER-SOURCE-CIDR 192.0.2.10,tcp:80,198.51.100.0/24',
      'add KUBE-6-LOAD-BALANCER 2001:db8::10,tcp:80',
      'add KUBE-6-LOAD-BALANCER-FW 2001:db8::10,tcp:80',
    ]);
  });

  it("the fixture generator's objects read back to the same input", () => {
    const d = fixtureDesired(40, 2);
    expect(desiredFromKube(toKubeObjects(d))).toEqual({ input: d, problems: [] });
  });

  it('reports unusable objects with where and why, and keeps the rest', () => {
    const k = desiredFromKube([
      {
        kind: 'Service',
        metadata: { name: 'a' },
        spec: { type: 'LoadBalancer', ports: [{ port: 70000 }, { port: 80, protocol: 'ICMP' }, { port: 81 }] },
      },
      { kind: 'Service', metadata: { namespace: 'x', name: 'c' }, spec: { type: 'ClusterIP' } },
      { kind: 'EndpointSlice', metadata: { namespace: 'x', name: 'e' }, addressType: 'IPv4' },
      {
        kind: 'EndpointSlice',
        metadata: { namespace: 'x', name: 'f', labels: { 'kubernetes.io/service-name': 'c' } },
        addressType: 'IP',
      },
    ]);
    expect(k.problems).toEqual([
      { object: 'Service default/a', message: 'spec.ports[0]: port 70000 is not 1..65535; skipped' },
      { object: 'Service default/a', message: 'spec.ports[1]: protocol ICMP is not TCP, UDP or SCTP; skipped' },
      { object: 'EndpointSlice x/e', message: 'no kubernetes.io/service-name label; skipped' },
      { object: 'EndpointSlice x/f', message: 'addressType IP is not IPv4, IPv6 or FQDN; skipped' },
    ]);
    expect(k.input.services.map((s) => s.ports)).toEqual([[{ name: '', protocol: 'TCP', port: 81 }]]);
  });
});

describe('ferrolb ipvs (usage; the syncing itself is tested in the VM)', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await run(['ipvs', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: ferrolb ipvs --file FILE/);
    expect(r.out).toContain('--dry-run');
  });

  it('bad usage exits 2 and says why', async () => {
    expect((await run(['ipvs'])).err).toMatch(/^ferrolb ipvs: give either --file or --kubeconfig\/--cluster/);
    expect((await run(['ipvs', '-f', 'x.yaml', '--kubeconfig', 'k'])).err).toMatch(/^ferrolb ipvs: give either/);
    expect((await run(['ipvs', '--cluster', '--assume-empty'])).err).toBe(
      'ferrolb ipvs: --assume-empty is only for --dry-run\n',
    );
    const noKc = await run(['ipvs', '--kubeconfig', '/nonexistent/fi-kubeconfig', '--dry-run', '--assume-empty']);
    expect([noKc.code, noKc.err]).toEqual([1, 'ferrolb ipvs: --kubeconfig /nonexistent/fi-kubeconfig: no such file\n']);
    expect((await run(['ipvs', '--cluster', '--debounce', 'soon'])).err).toBe(
      'ferrolb ipvs: --debounce: "soon" is not 0..60000 milliseconds\n',
    );
    const s = await run(['ipvs', '-f', 'x.yaml', '--scheduler', 'fastest']);
    expect([s.code, s.err]).toEqual([
      2,
      'ferrolb ipvs: --scheduler: unknown IPVS scheduler "fastest" (expected one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh)\n',
    ]);
    expect((await run(['ipvs', '--bogus'])).code).toBe(2);
  });

  it('--disable (kube-proxy runs in IPVS mode) changes nothing', async () => {
    const r = await run(['ipvs', '--disable', '-f', 'examples/ipvs/desired.yaml']);
    expect([r.code, r.out]).toEqual([0, 'disabled: kube-proxy runs in IPVS mode on this node; nothing changed\n']);
  });

  it('an unreadable file exits 1 naming it', async () => {
    const r = await run(['ipvs', '-f', '/nonexistent/desired.yaml']);
    expect([r.code, r.err]).toEqual([1, 'ferrolb ipvs: /nonexistent/desired.yaml: cannot read file (ENOENT)\n']);
  });
});
