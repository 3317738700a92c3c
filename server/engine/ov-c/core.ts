// The ov-c engine: OpenVINO's C API through koffi. One ov_core_t per engine.

import koffi from 'koffi';
import type { Logger } from 'pino';
import { ServerError } from '../../errors.ts';
import { assertDeviceAvailable } from '../devices.ts';
import type { CompiledModel, Dimension, Engine, LoadOptions } from '../types.ts';
import { OvcCompiledModel } from './compiled-model.ts';
import { OV_ELEMENT_TYPE } from './element-types.ts';
import {
  allocPartialShapes,
  decodeStrings,
  type LoadedLibrary,
  type NativeDevices,
  type NativeVersion,
  type Out,
  type OvcApi,
  type Ptr,
} from './library.ts';
import { readPorts } from './ports.ts';
import { check, lastError } from './status.ts';

const FAILED = 'OVF_ERR_ENGINE_LOAD_FAILED';

function readVersion(api: OvcApi): string {
  const out: Out<NativeVersion> = [null];
  check(api, api.ov_get_openvino_version(out), 'OVF_ERR_ENGINE_UNAVAILABLE', 'OpenVINO version');
  const v = out[0];
  if (!v?.buildNumber) return 'unknown';
  const build = koffi.decode(v.buildNumber, 'char', -1) as string;
  api.ov_version_free(v);
  return build;
}

/** A range for ov_model_reshape: fixed n → [n, n]; {min, max} as given (-1 = unbounded). */
function toRange(d: Dimension): { min: number; max: number } {
  return typeof d === 'number' ? (d < 0 ? { min: 0, max: -1 } : { min: d, max: d }) : d;
}

export class OvcEngine implements Engine {
  readonly name = 'ov-c';
  readonly version: string;
  readonly libraryPath: string;
  #api: OvcApi;
  #lib: LoadedLibrary;
  #core: Ptr;
  #logger: Logger | undefined;

  constructor(lib: LoadedLibrary, logger?: Logger) {
    this.#lib = lib;
    this.#api = lib.api;
    this.libraryPath = lib.path;
    this.#logger = logger?.child({ engine: 'ov-c' });
    this.version = readVersion(this.#api);
    const core: Out<Ptr> = [null];
    check(this.#api, this.#api.ov_core_create(core), 'OVF_ERR_ENGINE_UNAVAILABLE', 'create OpenVINO core');
    this.#core = core[0] ?? 0n;
  }

  availableDevices(): string[] {
    const out: Out<NativeDevices> = [null];
    check(
      this.#api,
      this.#api.ov_core_get_available_devices(this.#core, out),
      'OVF_ERR_ENGINE_UNAVAILABLE',
      'available devices',
    );
    const devices = out[0];
    if (!devices) return [];
    const names = decodeStrings(devices.devices, Number(devices.size));
    this.#api.ov_available_devices_free(devices);
    return names;
  }

  async load(options: LoadOptions): Promise<CompiledModel> {
    assertDeviceAvailable(options.device, this.availableDevices());
    const log = this.#logger?.child({ model: options.modelPath, device: options.device });
    const started = performance.now();
    let model = await this.#readModel(options.modelPath);
    try {
      if (options.inputShapes && Object.keys(options.inputShapes).length > 0) this.#reshape(model, options);
      if (options.inputElementTypes && Object.keys(options.inputElementTypes).length > 0) {
        model = this.#declareInputTypes(model, options);
      }
      const compiled = await this.#compile(model, options);
      log?.info({ ms: Math.round(performance.now() - started) }, 'model compiled');
      return new OvcCompiledModel(this.#api, compiled);
    } finally {
      this.#api.ov_model_free(model);
    }
  }

  async #readModel(path: string): Promise<Ptr> {
    const out: Out<Ptr> = [null];
    const status = await this.#lib.asyncApi.ov_core_read_model(this.#core, path, null, out);
    check(this.#api, status, FAILED, `read model ${path}`);
    return out[0] ?? 0n;
  }

  #reshape(model: Ptr, options: LoadOptions): void {
    const api = this.#api;
    const entries = Object.entries(options.inputShapes ?? {});
    const nIn: Out<number> = [null];
    check(api, api.ov_model_inputs_size(model, nIn), FAILED, 'inputs');
    const known = readPorts(
      api,
      Number(nIn[0] ?? 0),
      (i, o) => api.ov_model_const_input_by_index(model, i, o),
      'input',
    );
    for (const [name] of entries) {
      if (!known.some((p) => p.names.includes(name))) {
        throw new ServerError(
          FAILED,
          `reshape: model has no input ${name} (inputs: ${known.map((p) => p.name).join(', ')})`,
        );
      }
    }
    const shapes = allocPartialShapes(entries.map(([, dims]) => dims.map(toRange)));
    try {
      const status = api.ov_model_reshape(
        model,
        entries.map(([name]) => name),
        shapes.ptr,
        entries.length,
      );
      check(api, status, FAILED, `reshape ${options.modelPath}`);
    } finally {
      shapes.free();
    }
  }

  /** Adds OpenVINO preprocessing so inputs accept the declared element types; returns the new model. */
  #declareInputTypes(model: Ptr, options: LoadOptions): Ptr {
    const api = this.#api;
    const ppp: Out<Ptr> = [null];
    check(api, api.ov_preprocess_prepostprocessor_create(model, ppp), FAILED, 'preprocessing');
    const p = ppp[0] ?? 0n;
    try {
      for (const [name, elementType] of Object.entries(options.inputElementTypes ?? {})) {
        const info: Out<Ptr> = [null];
        check(
          api,
          api.ov_preprocess_prepostprocessor_get_input_info_by_name(p, name, info),
          FAILED,
          `preprocessing input ${name}`,
        );
        const tensorInfo: Out<Ptr> = [null];
        const status = api.ov_preprocess_input_info_get_tensor_info(info[0] ?? 0n, tensorInfo);
        if (status !== 0) {
          api.ov_preprocess_input_info_free(info[0] ?? 0n);
          check(api, status, FAILED, `preprocessing input ${name}`);
        }
        const set = api.ov_preprocess_input_tensor_info_set_element_type(
          tensorInfo[0] ?? 0n,
          OV_ELEMENT_TYPE[elementType],
        );
        api.ov_preprocess_input_tensor_info_free(tensorInfo[0] ?? 0n);
        api.ov_preprocess_input_info_free(info[0] ?? 0n);
        check(api, set, FAILED, `declare input ${name} as ${elementType}`);
      }
      const built: Out<Ptr> = [null];
      check(api, api.ov_preprocess_prepostprocessor_build(p, built), FAILED, 'build preprocessing');
      api.ov_model_free(model);
      return built[0] ?? 0n;
    } finally {
      api.ov_preprocess_prepostprocessor_free(p);
    }
  }

  async #compile(model: Ptr, options: LoadOptions): Promise<Ptr> {
    const flat = Object.entries(options.properties).flat();
    const out: Out<Ptr> = [null];
    const compileAsync = this.#lib.compileModelAsync;
    const status = compileAsync
      ? await compileAsync(this.#core, model, options.device, out, flat)
      : this.#api.ov_core_compile_model(
          this.#core,
          model,
          options.device,
          flat.length,
          out,
          ...flat.flatMap((arg) => ['const char *', arg]),
        );
    if (status !== 0) {
      throw new ServerError(
        FAILED,
        `compile ${options.modelPath} for ${options.device}: ${lastError(this.#api, status)}`,
      );
    }
    return out[0] ?? 0n;
  }
}
