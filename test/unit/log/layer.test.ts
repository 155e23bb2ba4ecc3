// src/log's place in the layer order: every I/O shell and program may import it, pure cores may not
// (they do not log), and it imports nothing above src/time.
import { describe, expect, it } from 'vitest';
import { lintProblems } from '../../helpers/lint-text.ts';

async function restricted(filePath: string, code: string): Promise<boolean> {
  const problems = await lintProblems(filePath, `${code}\nexport const y = 1;\n`);
  return problems.some((p) => p.startsWith('no-restricted-imports:'));
}

describe('src/log in the layer order', () => {
  it.each([
    ['src/bgp/session/x.ts', "import type { Logger } from '../../log/index.ts';"],
    ['src/memberlist/x.ts', "import { createLogger } from '../log/index.ts';"],
    ['src/k8s/x.ts', "import { createLogger } from '../log/index.ts';"],
    ['src/speaker/x.ts', "import { createLogger } from '../log/index.ts';"],
    ['src/cli/x.ts', "import { fdDestination } from '../log/index.ts';"],
    ['src/log/x.ts', "import { systemClock } from '../time/index.ts';"],
  ])('%s may: %s', async (file, code) => {
    expect(await restricted(file, code)).toBe(false);
  });

  it.each([
    ['src/election/x.ts', "import type { Logger } from '../log/index.ts';"],
    ['src/bgp/fsm/x.ts', "import { createLogger } from '../../log/index.ts';"],
    ['src/l2/core/x.ts', "import { createLogger } from '../../log/index.ts';"],
    ['src/config/x.ts', "import { createLogger } from '../log/index.ts';"],
    ['src/time/x.ts', "import { createLogger } from '../log/index.ts';"],
    ['src/log/x.ts', "import { BgpSession } from '../bgp/session/index.ts';"],
    ['src/log/x.ts', "import { objectKey } from '../k8s/informer.ts';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await restricted(file, code)).toBe(true);
  });
});
