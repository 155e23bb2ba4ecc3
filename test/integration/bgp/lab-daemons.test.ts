// Validates the lab harness itself with daemon-to-daemon sessions: ExaBGP (in the "node" namespace)
// announces routes to BIRD, FRR and GoBGP (each in its own "router" namespace) and every wrapper must
// report them with their attributes. The FerroLB interop tests rely on exactly these wrappers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Bird,
  ExaBgp,
  Frr,
  GoBgp,
  NODE_BIN,
  ensureDaemons,
  nodeRouterLab,
  waitFor,
  type NodeRouter,
  type PeerOptions,
  type SeenRoute,
} from '../../../src/lab/bgp/index.ts';

const SPEAKER_AS = 64513;
const ROUTER_AS = 64512;

interface RouterUnderTest {
  waitEstablished(timeoutMs?: number): Promise<unknown>;
  routes(family: 'ipv4' | 'ipv6'): Promise<SeenRoute[]>;
}

const daemons: Record<string, (t: NodeRouter, o: PeerOptions) => Promise<RouterUnderTest>> = {
  bird: (t, o) => Bird.start(t.lab, t.router.ns, o),
  frr: (t, o) => Frr.start(t.lab, t.router.ns, o),
  gobgp: (t, o) => GoBgp.start(t.lab, t.router.ns, o),
};

beforeAll(() => ensureDaemons());

describe.each(Object.keys(daemons))('lab: ExaBGP → %s', (name) => {
  let t: NodeRouter;
  beforeAll(async () => {
    t = await nodeRouterLab();
  });
  afterAll(async () => {
    const namespaces = [...t.lab.namespaces];
    await t.lab.destroy();
    // Teardown really removes what the lab created.
    for (const ns of namespaces) expect(existsSync(`/run/netns/${ns}`)).toBe(false);
  });

  it('receives IPv4 and IPv6 routes with communities, large communities and localpref (iBGP), MD5 on', async () => {
    const ibgp = name === 'frr';
    const speakerAs = ibgp ? ROUTER_AS : SPEAKER_AS;
    const router = await daemons[name]!(t, {
      localAddress: t.router.ipv4,
      localAs: ROUTER_AS,
      routerId: t.router.ipv4,
      peerAddress: t.node.ipv4,
      peerAs: speakerAs,
      md5: 'lab-secret',
    });
    ExaBgp.start(t.lab, t.node.ns, {
      localAddress: t.node.ipv4,
      localAs: speakerAs,
      routerId: t.node.ipv4,
      peerAddress: t.router.ipv4,
      peerAs: ROUTER_AS,
      md5: 'lab-secret',
      routes: [
        {
          prefix: '198.51.100.10/32',
          nextHop: t.node.ipv4,
          communities: ['65000:100'],
          largeCommunities: ['64513:1:2'],
          ...(ibgp ? { localPref: 250 } : {}),
        },
        { prefix: '2001:db8:100::10/128', nextHop: t.node.ipv6, communities: ['65000:6'] },
      ],
    });
    await router.waitEstablished();
    const v4 = await waitFor(async () => (await router.routes('ipv4')).find((r) => r.prefix === '198.51.100.10/32'), {
      what: `${name} IPv4 route`,
    });
    expect(v4.nextHop).toBe('192.0.2.1');
    expect(v4.communities).toEqual(['65000:100']);
    expect(v4.largeCommunities).toEqual(['64513:1:2']);
    if (ibgp) expect(v4.localPref).toBe(250);
    else expect(v4.asPath).toEqual([SPEAKER_AS]);
    const v6 = await waitFor(
      async () => (await router.routes('ipv6')).find((r) => r.prefix === '2001:db8:100::10/128'),
      { what: `${name} IPv6 route` },
    );
    expect(v6.nextHop).toBe('2001:db8::1');
    expect(v6.communities).toEqual(['65000:6']);
  });
});

describe('lab teardown', () => {
  it('a test process that dies without cleaning up still leaves no namespace or process behind', () => {
    const fixture = fileURLToPath(new URL('./lab/exit-hook-fixture.ts', import.meta.url));
    const r = spawnSync(NODE_BIN, [fixture], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toContain('dying on purpose');
    const [nodeNs, routerNs, pid] = r.stdout.trim().split(/\s+/);
    const names = [nodeNs!, routerNs!];
    expect(Number(pid)).toBeGreaterThan(0);
    // Gone, or a zombie waiting for an init that does not reap (it was killed, it just has no parent).
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || /^\d+ \([^)]*\) Z/.test(stat), `process ${pid} killed: ${stat}`).toBe(true);
    for (const ns of names) {
      expect(ns).toMatch(/^flb-\d+-\d+$/);
      expect(existsSync(`/run/netns/${ns}`), `namespace ${ns} removed by the exit hook`).toBe(false);
    }
    const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of names) expect(listed).not.toContain(ns);
  });
});
