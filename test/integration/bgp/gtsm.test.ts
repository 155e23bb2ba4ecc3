// RFC 5082 GTSM with BIRD (`ttl security on`: BIRD sends with TTL 255 and drops segments arriving with
// a TTL below 255 on a directly connected session). With --gtsm FerroLB sends TTL 255 and requires at
// least 254: the session comes up and the route arrives. Without it FerroLB's single-hop eBGP TTL is 1,
// which BIRD drops, so the session must never come up.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bird, ensureDaemons, nodeRouterLab, staysFalse, startFerroLb, waitFor, type NodeRouter } from './lab/index.ts';

const labs: NodeRouter[] = [];
afterEach(async () => {
  for (const t of labs.splice(0)) await t.lab.destroy();
});

async function pair(gtsm: boolean) {
  const t = await nodeRouterLab();
  labs.push(t);
  const bird = await Bird.start(t.lab, t.router.ns, {
    localAddress: t.router.ipv4, localAs: 64512, routerId: t.router.ipv4, peerAddress: t.node.ipv4, peerAs: 64513,
    ttlSecurity: true, families: ['ipv4'], passive: true,
  });
  const speaker = startFerroLb(t.lab, t.node.ns, {
    localAddress: t.node.ipv4, localAs: 64513, routerId: t.node.ipv4, peerAddress: t.router.ipv4, peerAs: 64512,
    announce: ['198.51.100.10'], gtsm,
  });
  return { t, bird, speaker };
}

describe('GTSM (RFC 5082) with BIRD', () => {
  beforeAll(() => ensureDaemons());

  it('--gtsm: TTL 255 both ways, the session comes up and the route arrives', async () => {
    const { t, bird, speaker } = await pair(true);
    await speaker.waitEstablished();
    const routes = await waitFor(async () => {
      const r = await bird.routes('ipv4');
      return r.length > 0 && r;
    }, { what: 'the route at BIRD', diagnostics: () => bird.diagnostics() });
    expect(routes.map((r) => r.prefix)).toEqual(['198.51.100.10/32']);
    expect(routes[0]!.nextHop).toBe(t.node.ipv4);
  });

  it('without --gtsm: our TTL 1 is below what BIRD accepts, so the session never comes up', async () => {
    const { bird, speaker } = await pair(false);
    expect(await staysFalse(async () => (await bird.established()) || speaker.events().some((l) => / Established$/.test(l)), 6_000)).toBe(true);
  });
});
