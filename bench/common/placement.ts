// Where benchmark processes run. "split" gives the system under test (a server, the peer, the
// in-process loop, benchmark_app) its own CPUs and the load generator the rest, as in production,
// where an instance owns its vCPUs and clients run elsewhere; "shared" lets everything share every
// CPU, as a laptop run would. Ratios are only comparable between runs of the same placement.
import { availableParallelism } from 'node:os';

export const PLACEMENTS = ['split', 'shared'] as const;
export type PlacementKind = (typeof PLACEMENTS)[number];

export interface Placement {
  readonly kind: PlacementKind;
  /** `taskset -c` list for the system under test; undefined = not pinned. */
  readonly sutCpus: string | undefined;
  /** `taskset -c` list for the load generator; undefined = not pinned. */
  readonly clientCpus: string | undefined;
  /** vCPUs the system under test may use (its CPU budget). */
  readonly sutVcpus: number;
  readonly clientVcpus: number;
}

function cpuRange(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

/**
 * Split: the load generator gets a quarter of the CPUs (at least one), the system under test the
 * rest. A machine with one CPU cannot split and is reported as shared.
 */
export function choosePlacement(kind: PlacementKind, vcpus = availableParallelism()): Placement {
  if (kind === 'shared' || vcpus < 2) {
    return { kind: 'shared', sutCpus: undefined, clientCpus: undefined, sutVcpus: vcpus, clientVcpus: vcpus };
  }
  const clientVcpus = Math.max(1, Math.floor(vcpus / 4));
  const sutVcpus = vcpus - clientVcpus;
  return {
    kind: 'split',
    sutCpus: cpuRange(0, sutVcpus - 1),
    clientCpus: cpuRange(sutVcpus, vcpus - 1),
    sutVcpus,
    clientVcpus,
  };
}

/** The command line that runs `file args` on `cpus` (taskset execs it, so the pid stays the command's). */
export function pinned(cpus: string | undefined, file: string, args: readonly string[]): [string, string[]] {
  return cpus === undefined ? [file, [...args]] : ['taskset', ['-c', cpus, file, ...args]];
}
