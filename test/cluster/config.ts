import { readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Where the control-plane binaries live and where clusters put their files. The only module of the
 * harness that reads the environment:
 *   OVFLEET_CACHE       cache root (default ~/.cache/ovfleet), as in the Makefile and build.sh
 *   OVFLEET_K8S_BIN     a directory holding the binaries, overriding the cache layout
 *   OVFLEET_CLUSTER_TMP parent directory of per-cluster directories (default the OS temp dir)
 */
export interface ClusterConfig {
  /** Kubernetes release build.sh pins, e.g. v1.37.2. */
  readonly k8sVersion: string;
  /** Directory with kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok. */
  readonly binDir: string;
  readonly tmpParent: string;
}

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');

const envSchema = z.object({
  OVFLEET_CACHE: z.string().min(1).optional(),
  OVFLEET_K8S_BIN: z.string().min(1).optional(),
  OVFLEET_CLUSTER_TMP: z.string().min(1).optional(),
});

/** The pinned release, read from build.sh so that the version lives in one place. */
export function pinnedK8sVersion(script = BUILD_SCRIPT): string {
  const match = /^K8S_VERSION=(v\d+\.\d+\.\d+)\s*$/m.exec(readFileSync(script, 'utf8'));
  if (!match?.[1]) throw new Error(`no K8S_VERSION=vX.Y.Z line in ${script}`);
  return match[1];
}

export function loadClusterConfig(env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  const parsed = envSchema.parse(env);
  const k8sVersion = pinnedK8sVersion();
  const cache = parsed.OVFLEET_CACHE ?? join(homedir(), '.cache', 'ovfleet');
  return Object.freeze({
    k8sVersion,
    binDir: parsed.OVFLEET_K8S_BIN ?? join(cache, `k8s-${k8sVersion}`, 'bin'),
    tmpParent: parsed.OVFLEET_CLUSTER_TMP ?? tmpdir(),
  });
}
