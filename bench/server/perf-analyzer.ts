// perf_analyzer (Triton's load generator, from PyPI) as the one client for every server: one run per
// concurrency level, its CSV report parsed into throughput and latency percentiles.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { pinned } from '../common/placement.ts';
import { runCommand } from '../common/processes.ts';

export const PROTOCOLS = ['grpc', 'rest-binary', 'rest-json'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const PROTOCOL_ARGS: Record<Protocol, readonly string[]> = {
  grpc: ['-i', 'grpc'],
  'rest-binary': ['-i', 'http', '--input-tensor-format', 'binary', '--output-tensor-format', 'binary'],
  'rest-json': ['-i', 'http', '--input-tensor-format', 'json', '--output-tensor-format', 'json'],
};

export interface LoadPoint {
  readonly concurrency: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

export interface PerfAnalyzerRun {
  readonly perfAnalyzer: string;
  readonly model: string;
  /** host:port of the gRPC or REST endpoint matching `protocol`. */
  readonly url: string;
  readonly protocol: Protocol;
  readonly concurrency: number;
  readonly measurementIntervalMs: number;
  /** perf_analyzer --input-data: a JSON data file (see writeInputData); default its random bytes. */
  readonly inputData?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Pin perf_analyzer to these CPUs (a `taskset -c` list). */
  readonly cpus?: string;
}

/**
 * Parses perf_analyzer's `-f` CSV: one row per concurrency with `Inferences/Second` and the client
 * latencies in microseconds. Throws when a column is missing or no row is present.
 */
export function parsePerfAnalyzerCsv(csv: string): LoadPoint[] {
  const lines = csv
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const column = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`perf_analyzer CSV has no "${name}" column: ${header.join(',')}`);
    return i;
  };
  const cols = {
    concurrency: column('Concurrency'),
    throughput: column('Inferences/Second'),
    p50: column('p50 latency'),
    p90: column('p90 latency'),
    p99: column('p99 latency'),
  };
  const points = lines.slice(1).map((line) => {
    const cells = line.split(',').map(Number);
    const at = (i: number): number => cells[i] ?? Number.NaN;
    return {
      concurrency: at(cols.concurrency),
      throughput: at(cols.throughput),
      p50Ms: at(cols.p50) / 1000,
      p90Ms: at(cols.p90) / 1000,
      p99Ms: at(cols.p99) / 1000,
    };
  });
  if (points.length === 0) throw new Error('perf_analyzer CSV has no measurement rows');
  return points;
}

/** One perf_analyzer measurement: three windows of `measurementIntervalMs` at one concurrency. */
export async function measureLoad(run: PerfAnalyzerRun): Promise<LoadPoint> {
  const dir = await mkdtemp(join(tmpdir(), 'ovfleet-pa-'));
  const csv = join(dir, 'report.csv');
  try {
    const args = [
      '-m',
      run.model,
      '-u',
      run.url,
      ...PROTOCOL_ARGS[run.protocol],
      '--concurrency-range',
      `${run.concurrency}:${run.concurrency}`,
      '--measurement-interval',
      String(run.measurementIntervalMs),
      // Noisy shared machines rarely give three windows within a few percent: take the three windows
      // as they come (stability check off) and report their average, as perf_analyzer does.
      '--max-trials',
      '3',
      '--stability-percentage',
      '999',
      '--percentile',
      '99',
      '-f',
      csv,
      ...(run.inputData === undefined ? [] : ['--input-data', run.inputData]),
    ];
    const [file, argv] = pinned(run.cpus, run.perfAnalyzer, args);
    const result = await runCommand(file, argv, {
      env: run.env,
      logger: run.logger,
      timeoutMs: run.measurementIntervalMs * 6 + 30_000,
      ...(run.signal === undefined ? {} : { signal: run.signal }),
    });
    if (result.code !== 0) {
      throw new Error(
        `perf_analyzer failed (${run.protocol}, concurrency ${run.concurrency}, exit ${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`,
      );
    }
    const [point] = parsePerfAnalyzerCsv(await readFile(csv, 'utf8'));
    if (point === undefined) throw new Error('perf_analyzer wrote no row');
    return point;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a perf_analyzer input-data file: one f32 tensor of uniform values in [0, 1). perf_analyzer's
 * own random data is random bytes, which as f32 include NaN — not valid JSON for the REST-JSON runs —
 * and every protocol should carry the same values.
 */
export async function writeInputData(
  file: string,
  inputName: string,
  shape: readonly number[],
): Promise<string> {
  const count = shape.reduce((a, b) => a * b, 1);
  // Never a whole number: perf_analyzer reads `0` or `1` as an integer and refuses it for an FP32 input.
  const content = Array.from({ length: count }, () => (1 + Math.floor(Math.random() * 9998)) / 1e4);
  await writeFile(file, JSON.stringify({ data: [{ [inputName]: { content, shape } }] }));
  return file;
}
