// OpenVINO's benchmark_app (from the openvino wheel): the raw-inference limit for the same model,
// device properties and nireq, with no server, no protocol and no FFI in the way.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { pinned } from '../common/placement.ts';
import { runCommand } from '../common/processes.ts';

export interface BenchmarkAppResult {
  readonly nireq: number;
  readonly throughput: number;
  readonly medianMs: number;
  readonly averageMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly iterations: number;
}

export interface BenchmarkAppRun {
  readonly benchmarkApp: string;
  readonly modelPath: string;
  readonly shape: readonly number[];
  readonly properties: Readonly<Record<string, string>>;
  readonly nireq: number;
  readonly seconds: number;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Pin benchmark_app to these CPUs (a `taskset -c` list). */
  readonly cpus?: string;
}

/**
 * Parses benchmark_app's `-report_type no_counters` CSV (`key;value` lines under "Execution results").
 * Latencies are in milliseconds, throughput in inferences per second.
 */
export function parseBenchmarkReport(csv: string, nireq: number): BenchmarkAppResult {
  const values = new Map<string, number>();
  for (const line of csv.split('\n')) {
    const [key, value] = line.split(';');
    if (key !== undefined && value !== undefined) values.set(key.trim(), Number(value));
  }
  const get = (key: string): number => {
    const v = values.get(key);
    if (v === undefined || Number.isNaN(v)) throw new Error(`benchmark_app report has no "${key}"`);
    return v;
  };
  return {
    nireq,
    throughput: get('throughput'),
    medianMs: get('latency (ms)'),
    averageMs: get('avg latency'),
    minMs: get('min latency'),
    maxMs: get('max latency'),
    iterations: get('total number of iterations'),
  };
}

export async function runBenchmarkApp(run: BenchmarkAppRun): Promise<BenchmarkAppResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ovfleet-ba-'));
  try {
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ CPU: run.properties }));
    const args = [
      '-m',
      run.modelPath,
      '-d',
      'CPU',
      // The same properties ovfleet passes to compile_model (hint, streams, threads).
      '-load_config',
      config,
      '-nireq',
      String(run.nireq),
      '-t',
      String(run.seconds),
      '-shape',
      `[${run.shape.join(',')}]`,
      '-report_type',
      'no_counters',
      '-report_folder',
      dir,
    ];
    const [file, argv] = pinned(run.cpus, run.benchmarkApp, args);
    const result = await runCommand(file, argv, {
      env: run.env,
      logger: run.logger,
      timeoutMs: run.seconds * 1000 + 60_000,
      ...(run.signal === undefined ? {} : { signal: run.signal }),
    });
    if (result.code !== 0) {
      throw new Error(
        `benchmark_app failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`,
      );
    }
    return parseBenchmarkReport(await readFile(join(dir, 'benchmark_report.csv'), 'utf8'), run.nireq);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
