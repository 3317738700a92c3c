import { inject } from 'vitest';
import { attachCluster, type Cluster } from './harness.ts';

/**
 * The cluster the integration project's global setup started, seen from a test file: kubectl,
 * restartApiServer(), kubeconfigPath. Do not call stop() on it; the global setup owns its lifetime.
 */
export function sharedCluster(): Cluster {
  return attachCluster(inject('ovfleetCluster').stateFile, { keepDir: true });
}
