// Picks an OpenVINO backend. `auto` tries ov-c first: it needs only the PyPI wheel's libraries (which
// `make openvino` provides), it serves every element type (openvino-node cannot build boolean, f16 or
// bf16 tensors), and it is the backend measured here (bench/engine/engine-latency.ts: ~0.1 ms per call
// on a tiny model, of which ~0.01 ms is OpenVINO). openvino-node could not be measured side by side here
// because its install step downloads the runtime from a host outside the package registries; it is the
// fallback when no C library is found. When nothing loads, one OVF_ERR_ENGINE_UNAVAILABLE names every
// attempt (each backend, each path searched, the underlying errors) and how to install OpenVINO.
import type { Logger } from 'pino';
import { ServerError } from '../errors.ts';
import { type EngineEnvironment, OPENVINO_VERSION, readEngineEnvironment } from './engine-config.ts';
import { openOpenvinoNodeEngine } from './openvino-node/index.ts';
import { openOvcEngine } from './ov-c/index.ts';
import type { Engine, EngineName } from './types.ts';

export type EngineChoice = 'auto' | EngineName;

export interface SelectEngineOptions {
  /** Where to look for OpenVINO; defaults to the process environment (OPENVINO_LIB_DIR, …). */
  readonly environment?: EngineEnvironment;
  readonly logger?: Logger;
}

interface Attempt {
  readonly engine: Engine | undefined;
  readonly reasons: readonly string[];
}

const OPENERS: Record<EngineName, (env: EngineEnvironment, logger?: Logger) => Promise<Attempt>> = {
  'ov-c': async (env, logger) => openOvcEngine(env, logger),
  'openvino-node': async (_env, logger) => openOpenvinoNodeEngine(logger),
};

const ORDER: Record<EngineChoice, readonly EngineName[]> = {
  auto: ['ov-c', 'openvino-node'],
  'ov-c': ['ov-c'],
  'openvino-node': ['openvino-node'],
};

const HOW_TO_INSTALL =
  `install OpenVINO ${OPENVINO_VERSION} with \`make openvino\` (fills the project cache), or ` +
  `\`pip install openvino==${OPENVINO_VERSION}\` and set OPENVINO_LIB_DIR to its openvino/libs folder, ` +
  'or `npm install openvino-node` (needs its runtime download)';

export async function selectEngine(choice: EngineChoice, options: SelectEngineOptions = {}): Promise<Engine> {
  const env = options.environment ?? readEngineEnvironment();
  const report: string[] = [];
  for (const name of ORDER[choice]) {
    const attempt = await OPENERS[name](env, options.logger);
    if (attempt.engine) {
      options.logger?.info({ engine: name, version: attempt.engine.version }, 'OpenVINO engine selected');
      return attempt.engine;
    }
    report.push(`${name}:\n${attempt.reasons.map((r) => `    - ${r}`).join('\n')}`);
  }
  throw new ServerError(
    'OVF_ERR_ENGINE_UNAVAILABLE',
    `no OpenVINO engine could be loaded (engine=${choice}); tried:\n  ${report.join('\n  ')}\nTo fix: ${HOW_TO_INSTALL}`,
  );
}

export type { EngineEnvironment } from './engine-config.ts';
export { readEngineEnvironment } from './engine-config.ts';
