// How many protocol worker processes to run and what each serves.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * vCPUs from a cgroup v2 `cpu.max` line ("200000 100000" → 2; "max 100000" → undefined): a pod
 * with a CPU limit but no pinning sees every host core in availableParallelism().
 */
export function cpusFromCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? Math.max(1, Math.floor(cpus)) : undefined;
}

/** The instance's vCPUs: CPU affinity (what the kubelet pinned), lowered by a CFS quota if any. */
export function instanceVcpus(cpuMaxPath = '/sys/fs/cgroup/cpu.max'): number {
  const affinity = availableParallelism();
  let quota: number | undefined;
  try {
    quota = cpusFromCpuMax(readFileSync(cpuMaxPath, 'utf8'));
  } catch {
    quota = undefined; // no cgroup v2 CPU controller: affinity is all we know
  }
  return quota === undefined ? affinity : Math.min(affinity, quota);
}

export interface WorkerRole {
  readonly grpc: boolean;
  readonly rest: boolean;
}

export interface WorkerPlan {
  /** Worker processes to fork; 0 = the primary serves both transports itself. */
  readonly workers: readonly WorkerRole[];
  readonly grpcWorkers: number;
  readonly restWorkers: number;
  /** Set when a requested count was lowered to the vCPUs available. */
  readonly capped: boolean;
}

export function planWorkers(
  requested: { grpc_workers: number; rest_workers: number; port: number; rest_port: number },
  vcpus: number = instanceVcpus(),
): WorkerPlan {
  const grpcWorkers = requested.port === 0 ? 0 : Math.min(requested.grpc_workers, vcpus);
  const restWorkers = requested.rest_port === 0 ? 0 : Math.min(requested.rest_workers, vcpus);
  const capped =
    (requested.port !== 0 && requested.grpc_workers > vcpus) ||
    (requested.rest_port !== 0 && requested.rest_workers > vcpus);
  const count = Math.max(grpcWorkers, restWorkers);
  if (count <= 1) return { workers: [], grpcWorkers, restWorkers, capped };
  const workers = Array.from({ length: count }, (_, i) => ({ grpc: i < grpcWorkers, rest: i < restWorkers }));
  return { workers, grpcWorkers, restWorkers, capped };
}
