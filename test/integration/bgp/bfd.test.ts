// BFD (RFC 5880/5882) between the FerroLB speaker and BIRD, 300 ms × 3: when the speaker's namespace
// goes silent (nftables drops everything), BIRD's BFD session goes down and takes the BGP session and
// its routes with it — long before the 30 s hold timer could — and the speaker tears its side down for
// the same reason. After the silence ends, the session and the route come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bird,
  ensureDaemons,
  nodeRouterLab,
  startFerroLb,
  waitFor,
  type NodeRouter,
} from '../../../src/lab/bgp/index.ts';
import { routerOptions, speakerOptions } from './lab/interop-suite.ts';

const BFD = { minRxMs: 300, minTxMs: 300, multiplier: 3 };
const HOLD = 30;
let t: NodeRouter | undefined;

describe('BFD with BIRD', () => {
  beforeAll(() => ensureDaemons());
  afterAll(async () => {
    await t?.lab.destroy();
  });

  it('silence in the speaker namespace: BFD down, BGP down, routes gone; back after the silence', async () => {
    t = await nodeRouterLab();
    const bird = await Bird.start(
      t.lab,
      t.router.ns,
      routerOptions(t, { bfd: BFD, holdTime: HOLD, families: ['ipv4'] }),
    );
    const speaker = startFerroLb(
      t.lab,
      t.node.ns,
      speakerOptions(t, 'bird', { bfd: BFD, holdTime: HOLD, announce: ['198.51.100.10'] }),
    );
    await speaker.waitEstablished();
    await waitFor(async () => (await bird.protocol()).importedRoutes === 1, {
      what: 'BIRD holding the route',
      diagnostics: () => bird.diagnostics(),
    });
    await waitFor(async () => /\sUp\s/.test(await bird.control.command('show bfd sessions')), {
      what: 'BIRD BFD session Up',
      timeoutMs: 15_000,
      diagnostics: async () => `${await bird.control.command('show bfd sessions')}\n${speaker.output()}`,
    });

    await t.lab.silence(t.node.ns);
    // Bounded well under the hold time: only BFD can take the session down this early.
    await waitFor(async () => (await bird.protocol()).importedRoutes === 0, {
      what: 'BIRD dropping the route after the silence',
      timeoutMs: (HOLD * 1000) / 3,
      intervalMs: 20,
      diagnostics: () => bird.diagnostics(),
    });
    const proto = await bird.control.command('show protocols all peer1');
    expect(proto).toMatch(/BFD session down/i);
    // The speaker's side goes down too (its own BFD session detects the silence).
    await waitFor(
      () =>
        speaker
          .events()
          .filter((l) => l.startsWith('peer '))
          .at(-1)
          ?.endsWith(' Established') === false,
      {
        what: 'the speaker to drop its session',
        timeoutMs: 10_000,
        diagnostics: () => speaker.output(),
      },
    );
    expect(speaker.events().find((l) => / Idle reason=/.test(l))).toMatch(/bfd/i);

    await t.lab.unsilence(t.node.ns);
    await waitFor(async () => (await bird.protocol()).importedRoutes === 1, {
      what: 'the route back after the silence',
      timeoutMs: 30_000,
      diagnostics: () => bird.diagnostics(),
    });
  });
});
