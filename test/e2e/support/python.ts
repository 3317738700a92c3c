// Runs the Python client scripts in test/e2e/clients with the test venv's interpreter.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ovfleetPython } from '../../support/tools.ts';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export function clientScript(name: string): string {
  return fileURLToPath(new URL(`../clients/${name}`, import.meta.url));
}

/** Runs a client script and parses the JSON it prints on stdout. */
export function runClient<T>(script: string, args: readonly string[], timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      ovfleetPython(),
      [clientScript(script), ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} failed: ${error.message}\n${stderr}`, { cause: error }));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as T);
        } catch (parseError: unknown) {
          reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`, { cause: parseError }));
        }
      },
    );
  });
}
