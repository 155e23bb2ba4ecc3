// The interop suite run against each daemon (one test file per daemon so vitest can run them side by
// side): the FerroLB speaker (`ferrolb bgp`) in the "node" namespace, the daemon in the "router"
// namespace, one veth between them. Every test builds and tears down its own lab.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ensureDaemons } from '../../../../src/lab/bgp/ensure-daemons.ts';
import { startFerroLb, type FerroLbSpeaker, type FerroOptions } from '../../../../src/lab/bgp/ferrolb.ts';
import { nodeRouterLab, type NodeRouter } from '../../../../src/lab/bgp/netns.ts';
import type { PeerOptions, SeenRoute } from '../../../../src/lab/bgp/peer-options.ts';
import { sleep, waitFor } from '../../../../src/lab/poll.ts';
import { startRouter, type DaemonName, type RouterUnderTest } from '../../../../src/lab/bgp/routers.ts';

export const SPEAKER_AS = 64513;
export const ROUTER_AS = 64512;

export interface SuiteOptions {
  /** The daemon marks routes stale during a peer's graceful restart (BIRD 2.0 does not show it). */
  showsStale: boolean;
  /** The daemon implements the graceful-restart receiving-speaker (helper) role. */
  gracefulRestart: boolean;
}

export interface Pair {
  t: NodeRouter;
  router: RouterUnderTest;
  speaker: FerroLbSpeaker;
}

/** Session addresses over IPv4 or IPv6 transport. */
function addrs(t: NodeRouter, transport: 'ipv4' | 'ipv6'): { node: string; router: string } {
  return transport === 'ipv4'
    ? { node: t.node.ipv4, router: t.router.ipv4 }
    : { node: t.node.ipv6, router: t.router.ipv6 };
}

export function routerOptions(
  t: NodeRouter,
  o: { transport?: 'ipv4' | 'ipv6'; ibgp?: boolean } & Partial<PeerOptions> = {},
): PeerOptions {
  const a = addrs(t, o.transport ?? 'ipv4');
  const { transport: _t, ibgp: _i, ...rest } = o;
  return {
    localAddress: a.router,
    localAs: ROUTER_AS,
    routerId: t.router.ipv4,
    peerAddress: a.node,
    peerAs: o.ibgp ? ROUTER_AS : SPEAKER_AS,
    ...rest,
  };
}

export function speakerOptions(
  t: NodeRouter,
  name: DaemonName,
  o: { transport?: 'ipv4' | 'ipv6'; ibgp?: boolean } & Partial<FerroOptions> = {},
): FerroOptions {
  const a = addrs(t, o.transport ?? 'ipv4');
  const { transport: _t, ibgp: _i, ...rest } = o;
  return {
    localAddress: a.node,
    localAs: o.ibgp ? ROUTER_AS : SPEAKER_AS,
    routerId: t.node.ipv4,
    peerAddress: a.router,
    peerAs: ROUTER_AS,
    nodeIpv4: t.node.ipv4,
    nodeIpv6: t.node.ipv6,
    announce: [],
    // ExaBGP only connects out: FerroLB must accept the session.
    ...(name === 'exabgp' ? { listenPort: 179 } : {}),
    ...rest,
  };
}

const labs: NodeRouter[] = [];
export async function newLab(): Promise<NodeRouter> {
  const t = await nodeRouterLab();
  labs.push(t);
  return t;
}

const V4_A = '198.51.100.10';
const V4_B = '198.51.100.11';
const V6_A = '2001:db8:100::10';
const V6_B = '2001:db8:100::11';
const has = (rs: SeenRoute[], p: string): SeenRoute | undefined => rs.find((r) => r.prefix === p);

export function defineInteropSuite(name: DaemonName, so: SuiteOptions): void {
  describe(`FerroLB speaker ↔ ${name}`, () => {
    beforeAll(() => ensureDaemons());
    afterEach(async () => {
      for (const t of labs.splice(0)) {
        const namespaces = [...t.lab.namespaces];
        await t.lab.destroy();
        for (const ns of namespaces) expect(existsSync(`/run/netns/${ns}`), `namespace ${ns} removed`).toBe(false);
      }
    });

    it('eBGP over IPv4 with MD5: IPv4 and IPv6 routes with communities and large communities', async () => {
      const t = await newLab();
      const router = await startRouter(name, t.lab, t.router.ns, routerOptions(t, { md5: 'interop-key' }));
      const speaker = startFerroLb(
        t.lab,
        t.node.ns,
        speakerOptions(t, name, {
          md5: 'interop-key',
          announce: [V4_A, V6_A],
          communities: ['65000:100'],
          largeCommunities: ['64513:7:8'],
        }),
      );
      await speaker.waitEstablished();
      await router.waitEstablished();
      const v4 = has(await router.waitRoutes('ipv4', (rs) => !!has(rs, `${V4_A}/32`), `${V4_A}/32`), `${V4_A}/32`)!;
      expect(v4.nextHop).toBe(t.node.ipv4);
      expect(v4.asPath).toEqual([SPEAKER_AS]);
      expect(v4.communities).toEqual(['65000:100']);
      expect(v4.largeCommunities).toEqual(['64513:7:8']);
      const v6 = has(await router.waitRoutes('ipv6', (rs) => !!has(rs, `${V6_A}/128`), `${V6_A}/128`), `${V6_A}/128`)!;
      expect(v6.nextHop).toBe(t.node.ipv6);
      expect(v6.communities).toEqual(['65000:100']);
      expect(v6.largeCommunities).toEqual(['64513:7:8']);
    });

    it('eBGP over IPv6 transport: IPv6 route with the node as next hop', async () => {
      const t = await newLab();
      const router = await startRouter(
        name,
        t.lab,
        t.router.ns,
        routerOptions(t, { transport: 'ipv6', families: ['ipv6'] }),
      );
      const speaker = startFerroLb(t.lab, t.node.ns, speakerOptions(t, name, { transport: 'ipv6', announce: [V6_B] }));
      await speaker.waitEstablished();
      const rs = await router.waitRoutes('ipv6', (r) => !!has(r, `${V6_B}/128`), `${V6_B}/128 over IPv6 transport`);
      expect(has(rs, `${V6_B}/128`)!.nextHop).toBe(t.node.ipv6);
    });

    it('iBGP: LOCAL_PREF from the advertisement reaches the peer', async () => {
      const t = await newLab();
      const router = await startRouter(name, t.lab, t.router.ns, routerOptions(t, { ibgp: true, families: ['ipv4'] }));
      const speaker = startFerroLb(
        t.lab,
        t.node.ns,
        speakerOptions(t, name, { ibgp: true, announce: [V4_A], localPref: 250 }),
      );
      await speaker.waitEstablished();
      const r = has(
        await router.waitRoutes('ipv4', (rs) => !!has(rs, `${V4_A}/32`), `${V4_A}/32 via iBGP`),
        `${V4_A}/32`,
      )!;
      expect(r.localPref).toBe(250);
      expect(r.asPath).toEqual([]);
    });

    it('withdraws a removed address and keeps the rest, without resetting the session', async () => {
      const t = await newLab();
      const router = await startRouter(name, t.lab, t.router.ns, routerOptions(t));
      const speaker = startFerroLb(
        t.lab,
        t.node.ns,
        speakerOptions(t, name, { announce: [V4_A, V4_B, V6_A], driver: true }),
      );
      await speaker.waitEstablished();
      await router.waitRoutes('ipv4', (rs) => !!has(rs, `${V4_A}/32`) && !!has(rs, `${V4_B}/32`), 'both IPv4 routes');
      await router.waitRoutes('ipv6', (rs) => !!has(rs, `${V6_A}/128`), 'the IPv6 route');
      await speaker.set([V4_A]);
      const after = await router.waitRoutes('ipv4', (rs) => !has(rs, `${V4_B}/32`), `${V4_B}/32 withdrawn`);
      expect(has(after, `${V4_A}/32`)).toBeDefined();
      await router.waitRoutes('ipv6', (rs) => !has(rs, `${V6_A}/128`), `${V6_A}/128 withdrawn`);
      expect(await router.established()).toBe(true);
      // One Established only: the change went out as UPDATEs, not as a session reset.
      expect(speaker.events().filter((l) => / Established$/.test(l))).toHaveLength(1);
    });

    it('graceful shutdown: NOTIFICATION Cease/Administrative Shutdown, the peer drops the routes', async () => {
      const t = await newLab();
      const router = await startRouter(name, t.lab, t.router.ns, routerOptions(t));
      const speaker = startFerroLb(t.lab, t.node.ns, speakerOptions(t, name, { announce: [V4_A, V6_A] }));
      await speaker.waitEstablished();
      await router.waitRoutes('ipv4', (rs) => !!has(rs, `${V4_A}/32`), 'the route before shutdown');
      await speaker.stop('SIGTERM');
      expect(speaker.events()).toContain(`notification sent peer=${t.router.ipv4} code=6 subcode=2`);
      expect(speaker.events().at(-1)).toBe('stopped');
      expect(speaker.daemon.child.exitCode).toBe(0);
      await router.waitRoutes('ipv4', (rs) => rs.length === 0, 'IPv4 routes gone after the Cease');
      await router.waitRoutes('ipv6', (rs) => rs.length === 0, 'IPv6 routes gone after the Cease');
    });

    if (so.gracefulRestart) {
      it('graceful restart: routes kept while the speaker is gone, refreshed and swept after it restarts', async () => {
        const t = await newLab();
        const gr = { restartTime: 60 };
        const router = await startRouter(
          name,
          t.lab,
          t.router.ns,
          routerOptions(t, { gracefulRestart: gr, families: ['ipv4'] }),
        );
        const opts = speakerOptions(t, name, { gracefulRestart: gr, announce: [V4_A, V4_B] });
        const first = startFerroLb(t.lab, t.node.ns, opts);
        await first.waitEstablished();
        await router.waitRoutes('ipv4', (rs) => !!has(rs, `${V4_A}/32`) && !!has(rs, `${V4_B}/32`), 'both routes');
        // Die without NOTIFICATION (as a crash would): the kernel closes the TCP connection.
        await first.stop('SIGKILL');
        await waitFor(async () => !(await router.established()), {
          what: `${name} to see the session drop`,
          timeoutMs: 20_000,
        });
        await sleep(1000);
        const held = await router.routes('ipv4');
        expect(has(held, `${V4_A}/32`), 'route kept during the restart').toBeDefined();
        if (so.showsStale) expect(has(held, `${V4_A}/32`)!.stale).toBe(true);
        // Back with the R bit, now announcing only A: A is refreshed, B is swept after End-of-RIB.
        const second = startFerroLb(t.lab, t.node.ns, { ...opts, restarted: true, announce: [V4_A] });
        await second.waitEstablished(60_000);
        const rs = await router.waitRoutes(
          'ipv4',
          (r) => !has(r, `${V4_B}/32`) && !!has(r, `${V4_A}/32`) && !has(r, `${V4_A}/32`)!.stale,
          'A refreshed (not stale) and B swept',
        );
        expect(has(rs, `${V4_A}/32`)!.nextHop).toBe(t.node.ipv4);
      }, 90_000);
    }
  });
}
