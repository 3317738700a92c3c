import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { startCluster } from './harness.ts';

/** What the integration project's global setup hands to every test file (read it with `inject`). */
export interface ProvidedCluster {
  readonly kubeconfigPath: string;
  readonly server: string;
  /** For attachCluster(stateFile): kubectl, restartApiServer() from inside a test worker. */
  readonly stateFile: string;
  readonly binDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    ovfleetCluster: ProvidedCluster;
  }
}

/**
 * Global setup of the `integration` project: one local control plane for the whole run, stopped (no
 * process left, directory removed) when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = pino({ level: 'info', base: { component: 'test-cluster' } });
  const cluster = await startCluster({ logger });
  project.provide('ovfleetCluster', {
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    stateFile: cluster.stateFile,
    binDir: cluster.binDir,
  });
  return async () => {
    await cluster.stop();
  };
}
