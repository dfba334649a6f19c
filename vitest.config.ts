import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - `unit`: tests/unit, pure logic, no servers;
 * - `integration`: tests/integration, on real servers started once by tests/global-setup.ts.
 * `npx vitest run --project unit` runs the unit tests alone (no servers are started).
 * The machine has 2 cores: at most 2 test files run at once; each test isolates itself with unique
 * task queues, workflow ids and stream names (tests/support/ids.ts).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    teardownTimeout: 30_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./tests/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
