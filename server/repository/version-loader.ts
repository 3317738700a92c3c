// Loads one model version: checks the device exists, compiles the model through the engine with the
// model's plugin_config, shape and declared input precisions, reads back the properties OpenVINO
// chose (streams, threads, optimal infer requests…), sizes the pool (nireq defaults to
// OPTIMAL_NUMBER_OF_INFER_REQUESTS) and logs what it got.
import type { Logger } from 'pino';
import type { CompiledModel, Dimension, Engine } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import type { ModelConfig } from './model-config.ts';
import { type PoolPort, ServedVersion, type VersionMetricsSink } from './served-version.ts';
import type { VersionFiles } from './version-scan.ts';

/** Compiled-model properties read back after loading (those the device does not know are skipped). */
export const READ_BACK_PROPERTIES = [
  'NUM_STREAMS',
  'INFERENCE_NUM_THREADS',
  'OPTIMAL_NUMBER_OF_INFER_REQUESTS',
  'PERFORMANCE_HINT',
  'PERFORMANCE_HINT_NUM_REQUESTS',
  'INFERENCE_PRECISION_HINT',
  'ENABLE_CPU_PINNING',
  'EXECUTION_DEVICES',
] as const;

export interface PoolFactoryOptions {
  readonly nireq: number;
  readonly maxQueueSize: number;
  readonly logger: Logger;
}
export type PoolFactory = (compiled: CompiledModel, options: PoolFactoryOptions) => PoolPort;

export interface LoaderContext {
  readonly engine: Engine;
  readonly createPool: PoolFactory;
  readonly maxQueueSize: number;
  readonly metrics: VersionMetricsSink;
  readonly logger: Logger;
}

const META_DEVICES = /^(AUTO|MULTI|HETERO|BATCH)(:|$)/;

/** Plain device names a target refers to: "HETERO:GPU,CPU" → [GPU, CPU]; "GPU.1" stays "GPU.1". */
export function devicesOf(target: string): string[] {
  const meta = META_DEVICES.exec(target);
  if (!meta) return [target];
  const rest = target.slice(meta[0].length);
  return rest === '' ? [] : rest.split(',').map((d) => d.trim().replace(/\(.*\)$/, ''));
}

/** Throws OVF_ERR_ENGINE_DEVICE_UNAVAILABLE listing the available devices when the target is not there. */
export function checkDevice(target: string, available: readonly string[]): void {
  const missing = devicesOf(target).filter(
    (device) => !available.includes(device) && !available.some((a) => a.split('.')[0] === device),
  );
  if (missing.length > 0) {
    throw new ServerError(
      'OVF_ERR_ENGINE_DEVICE_UNAVAILABLE',
      `target device ${missing.join(', ')} is not available; available devices: ${available.join(', ') || '(none)'}`,
    );
  }
}

function readProperties(compiled: CompiledModel): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const name of READ_BACK_PROPERTIES) {
    try {
      properties[name] = compiled.getProperty(name);
    } catch {
      // not supported by this device/plugin: nothing to report
    }
  }
  return properties;
}

async function compile(config: ModelConfig, files: VersionFiles, engine: Engine): Promise<CompiledModel> {
  const base = {
    modelPath: files.modelPath,
    device: config.targetDevice,
    properties: config.pluginConfig,
    ...(Object.keys(config.inputPrecision).length > 0 ? { inputElementTypes: config.inputPrecision } : {}),
  };
  const shape = config.shape;
  if (shape === undefined) return engine.load(base);
  if ('named' in shape) return engine.load({ ...base, inputShapes: shape.named });
  // An unnamed shape applies to the model's only input, whose name is known after a first load.
  const probe = await engine.load(base);
  const inputs = probe.inputs;
  probe.release();
  if (inputs.length !== 1 || inputs[0] === undefined) {
    throw new ServerError(
      'OVF_ERR_CONFIG_INVALID',
      `model ${config.name}: an unnamed shape needs a model with one input; this one has ${inputs.length} — name them`,
    );
  }
  const inputShapes: Record<string, readonly Dimension[]> = { [inputs[0].name]: shape.single };
  return engine.load({ ...base, inputShapes });
}

export async function loadVersion(
  config: ModelConfig,
  files: VersionFiles,
  ctx: LoaderContext,
): Promise<ServedVersion> {
  const logger = ctx.logger.child({ model: config.name, version: files.version });
  checkDevice(config.targetDevice, ctx.engine.availableDevices());
  const started = performance.now();
  let compiled: CompiledModel;
  try {
    compiled = await compile(config, files, ctx.engine);
  } catch (error: unknown) {
    if (error instanceof ServerError) throw error;
    throw new ServerError(
      'OVF_ERR_ENGINE_LOAD_FAILED',
      `model ${config.name} version ${files.version}: cannot load ${files.modelPath} on ${config.targetDevice}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  const properties = readProperties(compiled);
  const optimal = Number(properties.OPTIMAL_NUMBER_OF_INFER_REQUESTS);
  const nireq = config.nireq ?? (Number.isInteger(optimal) && optimal > 0 ? optimal : 1);
  const pool = ctx.createPool(compiled, { nireq, maxQueueSize: ctx.maxQueueSize, logger });
  logger.info(
    {
      path: files.modelPath,
      device: config.targetDevice,
      plugin_config: config.pluginConfig,
      nireq,
      properties,
      inputs: compiled.inputs,
      outputs: compiled.outputs,
      load_ms: Math.round(performance.now() - started),
    },
    'model version loaded',
  );
  return new ServedVersion({
    name: config.name,
    version: files.version,
    platform: files.platform,
    compiled,
    pool,
    nireq,
    properties: { ...properties, NIREQ: String(nireq) },
    metrics: ctx.metrics,
    logger,
  });
}
