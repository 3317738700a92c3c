// The benchmarks' configuration module: the only place bench/ reads the process environment. The
// Makefile exports every variable (`make deps` and the bench venv rule install what they point at);
// each getter fails with the command to run when one is missing.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BenchEnvironment {
  /** perf_analyzer launcher (PERF_ANALYZER). */
  readonly perfAnalyzer: string;
  /** Python of the bench venv: kserve, openvino (benchmark_app), matplotlib (OVFLEET_BENCH_PYTHON). */
  readonly benchPython: string;
  /** OpenVINO's libs folder, for ovfleet's ov-c engine (OPENVINO_LIB_DIR). */
  readonly openvinoLibDir: string;
  /** The whole environment to hand to child processes. */
  readonly childEnv: NodeJS.ProcessEnv;
}

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: it should point at ${what}. Run benchmarks through make (make bench-server …).`,
    );
  }
  if (!existsSync(value)) throw new Error(`${name}=${value} does not exist; run \`make deps bench-venv\``);
  return value;
}

export function readBenchEnvironment(env: NodeJS.ProcessEnv = process.env): BenchEnvironment {
  return Object.freeze({
    perfAnalyzer: required(env, 'PERF_ANALYZER', 'the perf_analyzer launcher'),
    benchPython: required(env, 'OVFLEET_BENCH_PYTHON', 'the Python of the bench venv'),
    openvinoLibDir: required(env, 'OPENVINO_LIB_DIR', "OpenVINO's libs folder"),
    childEnv: { ...env },
  });
}

/** benchmark_app of the bench venv (installed beside its python by the openvino wheel). */
export function benchmarkAppPath(environment: BenchEnvironment): string {
  return join(dirname(environment.benchPython), 'benchmark_app');
}

/** The environment handed to child processes by benchmarks that need none of the tools above. */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env };
}
