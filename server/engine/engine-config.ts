// Where the engine looks for OpenVINO: the only place server/engine reads the process environment.
// Tests (and the server) may pass their own EngineEnvironment instead of mutating process.env.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The OpenVINO release the project pins (Makefile OPENVINO_VERSION) and the C library's soname suffix. */
export const OPENVINO_VERSION = '2026.4.1';
export const OPENVINO_C_LIBRARY = 'libopenvino_c.so.2641';

export interface EngineEnvironment {
  /** OPENVINO_LIB_DIR: a folder holding libopenvino_c (the wheel's `openvino/libs`). */
  readonly openvinoLibDir: string | undefined;
  /** The project's tool folder, filled by `make openvino`. */
  readonly cacheLibDir: string;
  /** Python interpreters asked where an installed `openvino` package lives (in order). */
  readonly pythonExecutables: readonly string[];
}

export function readEngineEnvironment(env: NodeJS.ProcessEnv = process.env): EngineEnvironment {
  const cache = env.OVFLEET_CACHE || join(env.HOME || homedir(), '.cache', 'ovfleet');
  const pythons = [env.OVFLEET_PYTHON, 'python3'].filter((p): p is string => !!p);
  return Object.freeze({
    openvinoLibDir: env.OPENVINO_LIB_DIR || undefined,
    cacheLibDir: join(cache, `openvino-${OPENVINO_VERSION}`, 'libs'),
    pythonExecutables: Object.freeze([...new Set(pythons)]),
  });
}
