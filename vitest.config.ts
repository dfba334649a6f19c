import { defineConfig } from 'vitest/config';

/** What the server-backed projects share: the servers of the global setup, and time to use them. */
const onServers = {
  environment: 'node' as const,
  globalSetup: ['./tests/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

/**
 * Three projects:
 * - `unit`: tests/unit, pure logic, no servers;
 * - `integration`: tests/integration, components (workflows, activities, workers, clients, the HTTP API)
 *   on real servers started once by tests/global-setup.ts;
 * - `e2e`: tests/e2e, the whole stack driven through its interfaces (the CLI in a child process, the
 *   dashboard in headless Chromium, the facade and the API over a real engine), on the same servers.
 * `npx vitest run --project unit` runs the unit tests alone (no servers are started); `vitest run` runs
 * all three.
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
          ...onServers,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          ...onServers,
        },
      },
    ],
  },
});
