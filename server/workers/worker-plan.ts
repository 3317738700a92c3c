// How many protocol worker processes to run and what each serves.
import { availableParallelism } from 'node:os';

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
  vcpus: number = availableParallelism(),
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
