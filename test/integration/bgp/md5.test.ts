// TCP MD5 (RFC 2385) between the FerroLB speaker and BIRD: the right key brings the session up (also
// covered for every daemon by the interop suites); a wrong key, or a key on one side only, never does
// within a bounded window in which the speaker retries several times (connect retry 1–2 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bird,
  ensureDaemons,
  nodeRouterLab,
  staysFalse,
  startFerroLb,
  type NodeRouter,
} from '../../../src/lab/bgp/index.ts';
import { routerOptions, speakerOptions } from './lab/interop-suite.ts';

const WINDOW_MS = 6_000;
const labs: NodeRouter[] = [];

async function attempt(routerKey: string | undefined, speakerKey: string | undefined) {
  const t = await nodeRouterLab();
  labs.push(t);
  const bird = await Bird.start(
    t.lab,
    t.router.ns,
    routerOptions(t, routerKey === undefined ? {} : { md5: routerKey }),
  );
  const speaker = startFerroLb(
    t.lab,
    t.node.ns,
    speakerOptions(t, 'bird', {
      announce: ['198.51.100.10'],
      ...(speakerKey === undefined ? {} : { md5: speakerKey }),
    }),
  );
  const up = async (): Promise<boolean> =>
    (await bird.established()) || speaker.events().some((l) => / Established$/.test(l));
  return { bird, speaker, up };
}

describe('TCP MD5 with BIRD', () => {
  beforeAll(() => ensureDaemons());
  afterAll(async () => {
    for (const t of labs) await t.lab.destroy();
  });

  it('right key: Established; wrong key or a key on one side only: never up within the window', async () => {
    const [right, wrong, speakerOnly, routerOnly] = await Promise.all([
      attempt('s3cret', 's3cret'),
      attempt('s3cret', 'not-the-key'),
      attempt(undefined, 's3cret'),
      attempt('s3cret', undefined),
    ]);
    // The control case, started at the same time, shows sessions can come up here...
    await right.bird.waitEstablished();
    await right.speaker.waitEstablished();
    // ...and from then on the mismatched ones get a further window of retries and stay down.
    const stayedDown = await Promise.all([wrong, speakerOnly, routerOnly].map((a) => staysFalse(a.up, WINDOW_MS)));
    expect(stayedDown).toEqual([true, true, true]);
    // The speaker is still running and trying (a mismatched MD5 SYN is dropped silently by the
    // kernel, so its connect attempt hangs in Connect rather than failing).
    for (const a of [wrong, speakerOnly, routerOnly]) {
      expect(a.speaker.exited()).toBe(false);
      expect(
        a.speaker
          .events()
          .filter((l) => l.startsWith('peer '))
          .at(-1),
      ).toMatch(/ (Connect|Active|OpenSent)$/);
    }
  });
});
