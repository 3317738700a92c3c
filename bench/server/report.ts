// Pure reporting for the server benchmark: per-model ratios (ovfleet against the in-process limit,
// benchmark_app and the Python peer), the targets, and the printed tables.
import type { ThreadCpu, ThreadGroup } from '../common/cpu.ts';
import { checkTarget, type Target } from '../common/results.ts';
import { ratio } from '../common/stats.ts';
import { type Cell, formatTable } from '../common/table.ts';
import type { ModelKey } from './models.ts';

export const SYSTEMS = [
  'ovfleet-grpc',
  'ovfleet-rest-binary',
  'ovfleet-rest-json',
  'kserve-grpc',
  'in-process',
  'benchmark_app',
] as const;
export type System = (typeof SYSTEMS)[number];

export interface ServerRow {
  readonly model: ModelKey;
  readonly system: System;
  readonly concurrency: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  /** CPU cores the serving process kept busy during the measurement (null where not measured). */
  readonly serverCores: number | null;
  /** The same per thread group (main JS thread, OpenVINO, V8 background), where measured. */
  readonly serverThreads?: ThreadCpu | null;
  /** The machine's 1-minute load average right after the measurement: above 2 vCPUs, others competed. */
  readonly load1?: number;
}

/** CPU microseconds per inference a thread group spent, from its cores and the throughput. */
export function usPerInference(r: ServerRow, group: ThreadGroup): number | null {
  const cores = r.serverThreads?.[group];
  return cores == null || r.throughput <= 0 ? null : (cores / r.throughput) * 1e6;
}

export interface ModelRatios {
  readonly model: ModelKey;
  /** Highest throughput over the concurrency levels, per system. */
  readonly saturation: Partial<Record<System, number>>;
  readonly grpcVsInProcess: number | null;
  readonly restBinaryVsInProcess: number | null;
  readonly restJsonVsInProcess: number | null;
  readonly grpcVsBenchmarkApp: number | null;
  /** The engine's own cost: in-process (FFI + pool) against benchmark_app (C++). */
  readonly inProcessVsBenchmarkApp: number | null;
  /** ovfleet gRPC p50 minus in-process p50 at concurrency 1, milliseconds. */
  readonly p50DeltaAt1Ms: number | null;
  /** ovfleet gRPC throughput / KServe gRPC throughput at concurrency 8. */
  readonly vsPeerAt8: number | null;
}

const at = (rows: readonly ServerRow[], system: System, concurrency: number): ServerRow | undefined =>
  rows.find((r) => r.system === system && r.concurrency === concurrency);

export function saturation(rows: readonly ServerRow[], system: System): number | undefined {
  const values = rows.filter((r) => r.system === system).map((r) => r.throughput);
  return values.length === 0 ? undefined : Math.max(...values);
}

export function modelRatios(model: ModelKey, allRows: readonly ServerRow[]): ModelRatios {
  const rows = allRows.filter((r) => r.model === model);
  const sat = Object.fromEntries(
    SYSTEMS.flatMap((s) => {
      const v = saturation(rows, s);
      return v === undefined ? [] : [[s, v]];
    }),
  ) as Partial<Record<System, number>>;
  const grpc1 = at(rows, 'ovfleet-grpc', 1)?.p50Ms;
  const inproc1 = at(rows, 'in-process', 1)?.p50Ms;
  return {
    model,
    saturation: sat,
    grpcVsInProcess: ratio(sat['ovfleet-grpc'], sat['in-process']),
    restBinaryVsInProcess: ratio(sat['ovfleet-rest-binary'], sat['in-process']),
    restJsonVsInProcess: ratio(sat['ovfleet-rest-json'], sat['in-process']),
    grpcVsBenchmarkApp: ratio(sat['ovfleet-grpc'], sat.benchmark_app),
    inProcessVsBenchmarkApp: ratio(sat['in-process'], sat.benchmark_app),
    p50DeltaAt1Ms: grpc1 === undefined || inproc1 === undefined ? null : grpc1 - inproc1,
    vsPeerAt8: ratio(at(rows, 'ovfleet-grpc', 8)?.throughput, at(rows, 'kserve-grpc', 8)?.throughput),
  };
}

/** The saturation goal per model: compute-heavy detection leaves the protocol less room to hide. */
export const SATURATION_GOAL: Record<ModelKey, number> = { tiny: 0.9, cls: 0.9, det: 0.97 };

export function serverTargets(
  ratios: readonly ModelRatios[],
  notes: Partial<Record<ModelKey, string>>,
): Target[] {
  return ratios.flatMap((r) => {
    const note = notes[r.model];
    const withNote = note === undefined ? {} : { note };
    return [
      checkTarget(
        `${r.model}: gRPC / in-process throughput at saturation`,
        SATURATION_GOAL[r.model],
        r.grpcVsInProcess,
        withNote,
      ),
      checkTarget(`${r.model}: gRPC p50 − in-process p50 at concurrency 1`, 0.3, r.p50DeltaAt1Ms, {
        higherIsBetter: false,
        unit: 'ms',
        ...withNote,
      }),
      checkTarget(`${r.model}: gRPC / KServe peer throughput at concurrency 8`, 2, r.vsPeerAt8),
    ];
  });
}

export function rowsTable(rows: readonly ServerRow[]): string {
  return formatTable(
    [
      'model',
      'system',
      'conc',
      'infer/s',
      'p50 ms',
      'p99 ms',
      'srv cores',
      'µs/inf main',
      'ov',
      'v8',
      'load1',
    ],
    rows.map((r): Cell[] => [
      r.model,
      r.system,
      r.concurrency,
      r.throughput,
      r.p50Ms,
      r.p99Ms,
      r.serverCores,
      usPerInference(r, 'main'),
      usPerInference(r, 'openvino'),
      usPerInference(r, 'v8'),
      r.load1,
    ]),
  );
}

export function ratiosTable(ratios: readonly ModelRatios[]): string {
  return formatTable(
    [
      'model',
      'grpc/inproc',
      'restbin/inproc',
      'json/inproc',
      'grpc/bench_app',
      'inproc/bench_app',
      'Δp50@1 ms',
      'grpc/peer@8',
    ],
    ratios.map((r): Cell[] => [
      r.model,
      r.grpcVsInProcess,
      r.restBinaryVsInProcess,
      r.restJsonVsInProcess,
      r.grpcVsBenchmarkApp,
      r.inProcessVsBenchmarkApp,
      r.p50DeltaAt1Ms,
      r.vsPeerAt8,
    ]),
  );
}
