// The lint rules that keep the layers: code placed in a folder that may not import or read something is
// reported (files linted from text under the path they would have, including folders that do not exist
// yet, e.g. src/memberlist/core). The whole tree passing is `npm run lint` (run by npm test).
import { describe, expect, it } from 'vitest';
import { lintProblems as problems } from '../../helpers/lint-text.ts';

describe('layer order', () => {
  it.each([
    ['src/net/x.ts', "import { parseConfigMap } from '../config/index.ts';"],
    ['src/time/x.ts', "import { x } from '../wire/../k8s/informer.ts';"],
    ['src/config/x.ts', "import { Allocator } from '../allocator/index.ts';"],
    ['src/bgp/codec/x.ts', "import { BgpSession } from '../session/index.ts';"],
    ['src/allocator/x.ts', "import { objectKey } from '../k8s/informer.ts';"],
    ['src/memberlist/core/x.ts', "import { UdpTransport } from '../udp-transport.ts';"],
    ['src/l2/codec/x.ts', "import { Controller } from '../../controller/controller.ts';"],
    ['src/bgp/session/x.ts', "import { controllerInformers } from '../../k8s/resources.ts';"],
    ['src/k8s/x.ts', "import { RECONCILE_BACKOFF } from '../controller/backoff.ts';"],
    ['src/controller/x.ts', "import { startCluster } from '../lab/index.ts';"],
    ['src/lab/x.ts', "import { FakeClock } from '../../test/helpers/fake-clock.ts';"],
    ['bench/x.ts', "import { FakeClock } from '../test/helpers/fake-clock.ts';"],
  ])('%s: %s is reported', async (file, code) => {
    const found = await problems(file, `${code}\nexport const y = 1;\n`);
    expect(found.some((p) => p.startsWith('no-restricted-imports:'))).toBe(true);
  });

  it('imports that point down pass', async () => {
    expect(
      await problems('src/bgp/codec/x.ts', "import { need } from '../../wire/index.ts';\nexport const y = need;\n"),
    ).toEqual([]);
    expect(
      await problems(
        'src/controller/x.ts',
        "import { objectKey } from '../k8s/informer.ts';\nexport const y = objectKey;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'src/cli/x.ts',
        "import { startCluster } from '../lab/index.ts';\nexport const y = startCluster;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'test/unit/x.test.ts',
        "import { FakeClock } from '../helpers/fake-clock.ts';\nexport const y = FakeClock;\n",
      ),
    ).toEqual([]);
  });
});

describe('pure cores', () => {
  const pure = [
    'src/bgp/fsm/x.ts',
    'src/config/x.ts',
    'src/election/x.ts',
    'src/ipvs/plan/x.ts',
    'src/l2/core/x.ts',
    'src/time/x.ts',
  ];
  it.each(pure)('%s: no node:* modules, clock, timers, process or Math.random', async (file) => {
    for (const code of [
      "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;",
      "import { createHash } from 'node:crypto';\nexport const y = createHash;",
      "import { EventEmitter } from 'events';\nexport const y = EventEmitter;",
      'export const y = Date.now();',
      'export const y = new Date();',
      'export const y = performance.now();',
      'export const y = setTimeout(() => {}, 1);',
      'export const y = setImmediate(() => {});',
      'queueMicrotask(() => {});',
      'export const y = process.env.X;',
      'export const y = Math.random();',
      'export const y = globalThis.setInterval;',
    ]) {
      expect(await problems(file, code), code).not.toEqual([]);
    }
  });

  it('shells and the system clock may use them', async () => {
    const code =
      "import { readFileSync } from 'node:fs';\nexport const y = [readFileSync, Date.now(), Math.random(), setTimeout];\n";
    expect(await problems('src/bgp/session/x.ts', code)).toEqual([]);
    expect(
      await problems('src/time/system-clock.ts', 'export const y = [Date.now(), performance.now(), setTimeout];\n'),
    ).toEqual([]);
  });
});
