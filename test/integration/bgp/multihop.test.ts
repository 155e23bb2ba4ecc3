// eBGP across two hops (node — mid — router, the mid namespace forwarding) with BIRD `multihop 2`:
// with --ebgp-multihop the session comes up and the route arrives. Without it, a directly-connected
// eBGP session should go out with TTL 1 (what FRR, GoBGP and BIRD do, and so MetalLB in FRR mode),
// which the mid hop drops, so it must never come up.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bird, ensureDaemons, nodeMidRouterLab, staysFalse, startFerroLb, waitFor, type NodeRouter } from './lab/index.ts';

const labs: NodeRouter[] = [];
afterEach(async () => {
  for (const t of labs.splice(0)) await t.lab.destroy();
});

async function twoHops(ebgpMultiHop: boolean) {
  const t = await nodeMidRouterLab();
  labs.push(t);
  const bird = await Bird.start(t.lab, t.router.ns, {
    localAddress: t.router.ipv4, localAs: 64512, routerId: t.router.ipv4, peerAddress: t.node.ipv4, peerAs: 64513,
    multihop: 2, families: ['ipv4'], passive: true,
  });
  const speaker = startFerroLb(t.lab, t.node.ns, {
    localAddress: t.node.ipv4, localAs: 64513, routerId: t.node.ipv4, peerAddress: t.router.ipv4, peerAs: 64512,
    announce: ['198.51.100.10'], ebgpMultiHop,
  });
  return { t, bird, speaker };
}

describe('eBGP multihop with BIRD', () => {
  beforeAll(() => ensureDaemons());

  it('--ebgp-multihop: the session crosses two hops and the route arrives', async () => {
    const { t, bird, speaker } = await twoHops(true);
    await speaker.waitEstablished();
    const routes = await waitFor(async () => {
      const r = await bird.routes('ipv4');
      return r.length > 0 && r;
    }, { what: 'the route at BIRD', diagnostics: () => bird.diagnostics() });
    expect(routes.map((r) => r.prefix)).toEqual(['198.51.100.10/32']);
    expect(routes[0]!.nextHop).toBe(t.node.ipv4);
  });

  // Single-hop eBGP leaves with TTL 1, so a router two hops away never sees our OPEN.
  it('without --ebgp-multihop: TTL 1 never reaches a router two hops away', async () => {
    const { bird, speaker } = await twoHops(false);
    expect(await staysFalse(async () => (await bird.established()) || speaker.events().some((l) => / Established$/.test(l)), 6_000)).toBe(true);
  });
});
