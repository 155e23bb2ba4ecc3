// What our BGP packets' TTL lets through, against BIRD:
// - eBGP across two hops (node — mid — router, the mid namespace forwarding) with BIRD `multihop 2`: with
//   --ebgp-multihop (TTL 255) the session comes up and the route arrives; without it a directly connected
//   eBGP session goes out with TTL 1 (what FRR, GoBGP and BIRD do, and MetalLB in FRR mode), which the mid
//   hop drops, so it must never come up.
// - RFC 5082 GTSM with BIRD `ttl security on` (BIRD sends TTL 255 and drops segments arriving below 255 on
//   a directly connected session): with --gtsm (TTL 255 out, at least 254 in) the session comes up; without
//   it our TTL 1 is dropped, so it must never come up.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Bird,
  ensureDaemons,
  nodeMidRouterLab,
  nodeRouterLab,
  staysFalse,
  startFerroLb,
  waitFor,
  type FerroOptions,
  type NodeRouter,
  type PeerOptions,
} from '../../../src/lab/bgp/index.ts';

const labs: NodeRouter[] = [];
afterEach(async () => {
  for (const t of labs.splice(0)) await t.lab.destroy();
});

/** BIRD (AS 64512, passive) in the router namespace and a FerroLB speaker (AS 64513) in the node's. */
async function pair(t: NodeRouter, bird: Partial<PeerOptions>, speaker: Partial<FerroOptions>) {
  labs.push(t);
  const router = await Bird.start(t.lab, t.router.ns, {
    localAddress: t.router.ipv4,
    localAs: 64512,
    routerId: t.router.ipv4,
    peerAddress: t.node.ipv4,
    peerAs: 64513,
    families: ['ipv4'],
    passive: true,
    ...bird,
  });
  const ferrolb = startFerroLb(t.lab, t.node.ns, {
    localAddress: t.node.ipv4,
    localAs: 64513,
    routerId: t.node.ipv4,
    peerAddress: t.router.ipv4,
    peerAs: 64512,
    announce: ['198.51.100.10'],
    ...speaker,
  });
  return { t, bird: router, speaker: ferrolb };
}

async function routeArrives({ t, bird, speaker }: Awaited<ReturnType<typeof pair>>): Promise<void> {
  await speaker.waitEstablished();
  const routes = await waitFor(
    async () => {
      const r = await bird.routes('ipv4');
      return r.length > 0 && r;
    },
    { what: 'the route at BIRD', diagnostics: () => bird.diagnostics() },
  );
  expect(routes.map((r) => r.prefix)).toEqual(['198.51.100.10/32']);
  expect(routes[0]!.nextHop).toBe(t.node.ipv4);
}

/**
 * Neither side reaches Established within 6 s; with `routerOnly`, BIRD does not. BIRD sets its minimum TTL
 * on each accepted socket after accept(), so on a slow machine our OPEN (TTL 1) can slip in before that
 * and BIRD answers with OPEN and KEEPALIVE (TTL 255), which bring our side up; our KEEPALIVEs are dropped
 * from then on, so BIRD itself never comes up — that is what GTSM guarantees the router.
 */
async function neverEstablished(
  { bird, speaker }: Awaited<ReturnType<typeof pair>>,
  routerOnly = false,
): Promise<boolean> {
  return staysFalse(
    async () => (await bird.established()) || (!routerOnly && speaker.events().some((l) => / Established$/.test(l))),
    6_000,
  );
}

describe('TTL with BIRD', () => {
  beforeAll(() => ensureDaemons());

  it('--ebgp-multihop: the session crosses two hops and the route arrives', async () => {
    await routeArrives(await pair(await nodeMidRouterLab(), { multihop: 2 }, { ebgpMultiHop: true }));
  });

  it('without --ebgp-multihop: TTL 1 never reaches a router two hops away', async () => {
    expect(await neverEstablished(await pair(await nodeMidRouterLab(), { multihop: 2 }, {}))).toBe(true);
  });

  it('--gtsm: TTL 255 both ways, the session comes up and the route arrives', async () => {
    await routeArrives(await pair(await nodeRouterLab(), { ttlSecurity: true }, { gtsm: true }));
  });

  it('without --gtsm: our TTL 1 is below what BIRD accepts, so the session never comes up', async () => {
    expect(await neverEstablished(await pair(await nodeRouterLab(), { ttlSecurity: true }, {}), true)).toBe(true);
  });
});
