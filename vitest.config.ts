import { defineConfig } from 'vitest/config';

// Two tiers in one run, so one summary line counts them all: the unit tier (no root, parallel) first,
// then the integration tier (root: namespaces, real daemons, real API server), one file at a time
// because its files share the machine's two cores and bring up whole clusters and routers.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/setup/require-root.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 900_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
