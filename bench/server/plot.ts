// Draws the server benchmark's PNG with matplotlib from the bench venv (plot.py).
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { BenchEnvironment } from '../common/environment.ts';
import { runCommand } from '../common/processes.ts';

const PLOT_SCRIPT = fileURLToPath(new URL('./plot.py', import.meta.url));

export async function plotServerResult(
  env: BenchEnvironment,
  resultFile: string,
  png: string,
  logger: Logger,
): Promise<void> {
  const r = await runCommand(env.benchPython, [PLOT_SCRIPT, resultFile, png], {
    env: { ...env.childEnv, MPLBACKEND: 'Agg' },
    logger,
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(`plot failed:\n${r.stderr.slice(-3000)}`);
}
