// src/metrics is a bottom layer (beside src/time): the registry and metric types are pure; only
// process-metrics.ts reads the process and /proc. Files linted from text under the path they would have.
import { describe, expect, it } from 'vitest';
import { lintProblems as problems } from '../../helpers/lint-text.ts';

describe('src/metrics layer', () => {
  it.each([
    "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;",
    'export const y = process.memoryUsage();',
    'export const y = Date.now();',
    'export const y = performance.now();',
    'export const y = setInterval(() => {}, 10);',
    "import { systemClock } from '../time/index.ts';\nexport const y = systemClock;\nimport { x } from '../config/index.ts';\nexport const z = x;",
    "import { createL2Metrics } from '../l2/metrics.ts';\nexport const y = createL2Metrics;",
  ])('src/metrics/x.ts: %s is reported', async (code) => {
    expect(await problems('src/metrics/x.ts', `${code}\n`)).not.toEqual([]);
  });

  it('process-metrics.ts may read the process and /proc, but not import a higher layer', async () => {
    const code =
      "import { readFileSync } from 'node:fs';\nexport const y = [readFileSync, process.cpuUsage(), Date.now()];\n";
    expect(await problems('src/metrics/process-metrics.ts', code)).toEqual([]);
    expect(
      await problems(
        'src/metrics/process-metrics.ts',
        "import { Layer2 } from '../l2/index.ts';\nexport const y = Layer2;\n",
      ),
    ).not.toEqual([]);
  });

  it('every layer may import src/metrics', async () => {
    const code = "import { Counter } from '../metrics/index.ts';\nexport const y = Counter;\n";
    for (const file of ['src/time/x.ts', 'src/config/x.ts', 'src/l2/x.ts', 'src/controller/x.ts'])
      expect(await problems(file, code), file).toEqual([]);
  });
});
