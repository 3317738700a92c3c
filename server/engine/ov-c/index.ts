// Opens the ov-c engine: find libopenvino_c, load it with koffi, create a core.
import type { Logger } from 'pino';
import type { EngineEnvironment } from '../engine-config.ts';
import { OvcEngine } from './core.ts';
import { loadLibrary } from './library.ts';
import { findLibrary } from './locate.ts';

export interface OpenAttempt {
  readonly engine: OvcEngine | undefined;
  /** Why it failed: the places searched and the underlying error. */
  readonly reasons: string[];
}

export function openOvcEngine(env: EngineEnvironment, logger?: Logger): OpenAttempt {
  const search = findLibrary(env);
  if (!search.path) return { engine: undefined, reasons: search.tried };
  try {
    return { engine: new OvcEngine(loadLibrary(search.path), logger), reasons: search.tried };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    return { engine: undefined, reasons: [...search.tried, `loading ${search.path} failed: ${message}`] };
  }
}
