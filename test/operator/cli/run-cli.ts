// Runs the real `ovfleet` entry point (bin/ovfleet.js) with the Node that runs vitest.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function ovfleet(args: readonly string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, ['bin/ovfleet.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
