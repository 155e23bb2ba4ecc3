// One face for the four daemons as the router side of an interop test: start from PeerOptions, wait
// for Established, read the routes learned from the speaker in a normalized form.
import { Bird } from './bird.ts';
import { ExaBgp } from './exabgp.ts';
import { Frr } from './frr.ts';
import { GoBgp } from './gobgp.ts';
import type { Lab } from './netns.ts';
import type { AfiSafi, PeerOptions, SeenRoute } from './peer-options.ts';
import { waitFor } from '../poll.ts';

export const DAEMONS = ['bird', 'frr', 'gobgp', 'exabgp'] as const;
export type DaemonName = (typeof DAEMONS)[number];

export interface RouterUnderTest {
  name: DaemonName;
  established(): Promise<boolean>;
  waitEstablished(timeoutMs?: number): Promise<void>;
  routes(family: AfiSafi): Promise<SeenRoute[]>;
  /** Waits (bounded) until `pred` holds for the routes of `family`; returns them. */
  waitRoutes(
    family: AfiSafi,
    pred: (r: SeenRoute[]) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<SeenRoute[]>;
  diagnostics(): Promise<string>;
}

export async function startRouter(name: DaemonName, lab: Lab, ns: string, o: PeerOptions): Promise<RouterUnderTest> {
  let r: Omit<RouterUnderTest, 'waitRoutes' | 'waitEstablished'>;
  switch (name) {
    case 'bird': {
      const b = await Bird.start(lab, ns, o);
      r = { name, established: () => b.established(), routes: (f) => b.routes(f), diagnostics: () => b.diagnostics() };
      break;
    }
    case 'frr': {
      const f = await Frr.start(lab, ns, o);
      r = {
        name,
        established: async () => (await f.neighborState()) === 'Established',
        routes: (fam) => f.routes(fam),
        diagnostics: async () =>
          `${await f.vtysh(`show bgp neighbors ${o.peerAddress}`).catch(String)}\n${f.daemon.output().slice(-4000)}`,
      };
      break;
    }
    case 'gobgp': {
      const g = await GoBgp.start(lab, ns, o);
      r = {
        name,
        established: async () => (await g.neighborState()) === 'established',
        routes: (fam) => g.routes(fam),
        diagnostics: async () =>
          `${await g.cli(['neighbor', o.peerAddress]).catch(String)}\n${g.daemon.output().slice(-4000)}`,
      };
      break;
    }
    case 'exabgp': {
      const e = ExaBgp.start(lab, ns, o);
      r = {
        name,
        established: async () => e.state() === 'up',
        routes: async (fam) => [...e.routes().values()].filter((x) => x.prefix.includes(':') === (fam === 'ipv6')),
        diagnostics: async () => e.output().slice(-4000),
      };
      break;
    }
  }
  const full: RouterUnderTest = {
    ...r,
    waitEstablished: async (timeoutMs = 30_000) => {
      await waitFor(() => r.established(), {
        what: `${name} session Established`,
        timeoutMs,
        intervalMs: 100,
        diagnostics: r.diagnostics,
      });
    },
    waitRoutes: (family, pred, what, timeoutMs = 20_000) =>
      waitFor(
        async () => {
          const rs = await r.routes(family);
          return pred(rs) && rs;
        },
        {
          what: `${name}: ${what}`,
          timeoutMs,
          intervalMs: 100,
          diagnostics: async () => `${JSON.stringify(await r.routes(family).catch(String))}\n${await r.diagnostics()}`,
        },
      ),
  };
  return full;
}
