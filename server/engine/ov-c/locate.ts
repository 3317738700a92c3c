// Finds libopenvino_c: OPENVINO_LIB_DIR → the project cache → an installed Python `openvino` package.
// Returns the first library file found and, for the error message, every place tried and why it failed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type EngineEnvironment, OPENVINO_C_LIBRARY } from '../engine-config.ts';

export interface LibrarySearch {
  readonly path: string | undefined;
  /** One line per place looked at: "<source> <dir>: <outcome>". */
  readonly tried: string[];
}

/** The C library in `dir`: the pinned soname, else any other libopenvino_c.so*. */
function libraryIn(dir: string): string | undefined {
  if (existsSync(join(dir, OPENVINO_C_LIBRARY))) return join(dir, OPENVINO_C_LIBRARY);
  try {
    const other = readdirSync(dir).find((f) => f.startsWith('libopenvino_c.so'));
    return other ? join(dir, other) : undefined;
  } catch {
    return undefined;
  }
}

const FIND_SPEC =
  'import importlib.util, os\n' +
  's = importlib.util.find_spec("openvino")\n' +
  'print(os.path.join(os.path.dirname(s.origin), "libs") if s and s.origin else "")';

function pythonPackageDir(python: string): { dir?: string; error?: string } {
  try {
    const out = execFileSync(python, ['-c', FIND_SPEC], {
      encoding: 'utf8',
      timeout: 15_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const dir = out.trim();
    return dir ? { dir } : { error: 'no openvino package installed' };
  } catch (error: unknown) {
    return {
      error: error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error),
    };
  }
}

export function findLibrary(env: EngineEnvironment): LibrarySearch {
  const tried: string[] = [];
  const look = (source: string, dir: string): string | undefined => {
    const path = libraryIn(dir);
    tried.push(`${source} ${dir}: ${path ? `found ${path}` : `no ${OPENVINO_C_LIBRARY}`}`);
    return path;
  };
  if (env.openvinoLibDir) {
    const path = look('OPENVINO_LIB_DIR', env.openvinoLibDir);
    if (path) return { path, tried };
  } else {
    tried.push('OPENVINO_LIB_DIR: not set');
  }
  const cached = look('project cache', env.cacheLibDir);
  if (cached) return { path: cached, tried };
  for (const python of env.pythonExecutables) {
    const { dir, error } = pythonPackageDir(python);
    if (dir) {
      const path = look(`python package (${python})`, dir);
      if (path) return { path, tried };
    } else {
      tried.push(`python package (${python}): ${error}`);
    }
  }
  return { path: undefined, tried };
}
