import { defineConfig } from 'vitest/config';

// Three suites, one command. Unit tests (test/operator, test/server) need no network and run in
// seconds; e2e tests (test/e2e) load real models in real OpenVINO and talk to ovfleet-server with
// clients nobody here wrote; integration tests (test/integration) run the operator against the real
// control plane that test/cluster starts once for the whole suite.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'test/operator/**/*.test.ts',
            'test/server/**/*.test.ts',
            'test/scripts/**/*.test.ts',
            'test/bench/**/*.test.ts',
          ],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One local control plane (test/cluster) for the whole suite; tests read it with inject('ovfleetCluster').
          globalSetup: ['test/cluster/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
