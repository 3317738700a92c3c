// External tools the tests use, from the environment the Makefile exports (`make deps` installs them).
// The one place tests read these variables; each getter fails with what to run when one is unset.
import { existsSync } from 'node:fs';

function required(name: string, what: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: it should point at ${what}. Run tests through \`make test\` (or run \`make deps\` and export it).`,
    );
  }
  if (!existsSync(value)) throw new Error(`${name}=${value} does not exist; run \`make deps\``);
  return value;
}

/** The Python of the test venv (openvino, numpy, tritonclient). */
export function ovfleetPython(): string {
  return required('OVFLEET_PYTHON', 'the Python of the test tool venv');
}

/** The perf_analyzer launcher. */
export function perfAnalyzer(): string {
  return required('PERF_ANALYZER', 'the perf_analyzer binary');
}

/** The folder with OpenVINO's shared libraries (libopenvino_c.so…). */
export function openvinoLibDir(): string {
  return required('OPENVINO_LIB_DIR', "OpenVINO's libs folder");
}

/**
 * Environment for child processes the tests start (ovfleet-server): the test's own, which carries
 * OPENVINO_LIB_DIR and friends from the Makefile.
 */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
