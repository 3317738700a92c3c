// The openvino-node backend: the official Node binding (inferAsync runs on OpenVINO's threads, so the
// event loop stays free). Element types the binding cannot construct tensors for (boolean, f16, bf16)
// are refused at load time with a clear error; ov-c serves those.
import type { Logger } from 'pino';
import { ServerError } from '../../errors.ts';
import { assertDeviceAvailable } from '../devices.ts';
import type {
  CompiledModel,
  Dimension,
  ElementType,
  Engine,
  InferRequest,
  LoadOptions,
  PortInfo,
  Tensor,
} from '../types.ts';
import type {
  OvnAddon,
  OvnCompiledModel,
  OvnCore,
  OvnInferRequest,
  OvnOutput,
  OvnTensor,
  TypedArray,
} from './addon.ts';

type Served = Exclude<ElementType, 'boolean' | 'f16' | 'bf16'>;
const ARRAYS: Record<Served, (buf: ArrayBuffer) => TypedArray> = {
  i8: (b) => new Int8Array(b),
  i16: (b) => new Int16Array(b),
  i32: (b) => new Int32Array(b),
  i64: (b) => new BigInt64Array(b),
  u8: (b) => new Uint8Array(b),
  u16: (b) => new Uint16Array(b),
  u32: (b) => new Uint32Array(b),
  u64: (b) => new BigUint64Array(b),
  f32: (b) => new Float32Array(b),
  f64: (b) => new Float64Array(b),
};

function isServed(type: string): type is Served {
  return Object.hasOwn(ARRAYS, type);
}

function toDimension(d: number | [number, number]): Dimension {
  if (typeof d === 'number') return d < 0 ? { min: 0, max: -1 } : d;
  return d[0] === d[1] ? d[0] : { min: d[0], max: d[1] };
}

function shapeString(dims: readonly Dimension[]): string {
  return `[${dims.map((d) => (typeof d === 'number' ? (d < 0 ? '?' : String(d)) : d.max < 0 ? `${d.min}..` : `${d.min}..${d.max}`)).join(',')}]`;
}

class OvnRequest implements InferRequest {
  #addon: OvnAddon;
  #request: OvnInferRequest;
  #inputs: readonly PortInfo[];
  #typeName: (code: number) => string;
  constructor(
    addon: OvnAddon,
    request: OvnInferRequest,
    inputs: readonly PortInfo[],
    typeName: (code: number) => string,
  ) {
    this.#addon = addon;
    this.#request = request;
    this.#inputs = inputs;
    this.#typeName = typeName;
  }

  async infer(inputs: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>> {
    const feed: Record<string, OvnTensor> = {};
    for (const port of this.#inputs) {
      const t = inputs.get(port.name);
      if (!t) throw new ServerError('OVF_ERR_REQUEST_INVALID', `missing input ${port.name}`);
      if (!isServed(t.elementType))
        throw new ServerError(
          'OVF_ERR_REQUEST_INVALID',
          `${t.elementType} is not supported by openvino-node`,
        );
      const copy = t.data.slice().buffer; // aligned, owned
      feed[port.name] = new this.#addon.Tensor(t.elementType, [...t.shape], ARRAYS[t.elementType](copy));
    }
    let results: Record<string, OvnTensor>;
    try {
      results = await this.#request.inferAsync(feed);
    } catch (error: unknown) {
      throw new ServerError(
        'OVF_ERR_ENGINE_INFER_FAILED',
        `inference: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const out = new Map<string, Tensor>();
    for (const [name, tensor] of Object.entries(results)) {
      const data = tensor.getData();
      const elementType = this.#typeName(tensor.getElementType());
      if (!isServed(elementType))
        throw new ServerError('OVF_ERR_ENGINE_INFER_FAILED', `output ${name}: type ${elementType}`);
      out.set(name, {
        elementType,
        shape: tensor.getShape(),
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
      });
    }
    return out;
  }

  release(): void {
    // openvino-node frees requests with garbage collection.
  }
}

class OvnCompiled implements CompiledModel {
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  #addon: OvnAddon;
  #compiled: OvnCompiledModel;
  #typeName: (code: number) => string;
  constructor(addon: OvnAddon, compiled: OvnCompiledModel, typeName: (code: number) => string) {
    this.#addon = addon;
    this.#compiled = compiled;
    this.#typeName = typeName;
    const probe = compiled.createInferRequest();
    const port = (o: OvnOutput, type: string): PortInfo => {
      if (!isServed(type))
        throw new ServerError(
          'OVF_ERR_ENGINE_LOAD_FAILED',
          `${o.anyName}: element type ${type} is not supported by openvino-node`,
        );
      return {
        name: o.anyName,
        names: [o.anyName],
        elementType: type,
        shape: o.getPartialShape().getDimensions().map(toDimension),
      };
    };
    this.inputs = compiled.inputs.map((o, i) => port(o, typeName(probe.getInputTensor(i).getElementType())));
    this.outputs = compiled.outputs.map((o, i) =>
      port(o, typeName(probe.getOutputTensor(i).getElementType())),
    );
  }
  getProperty(name: string): string {
    return String(this.#compiled.getProperty(name));
  }
  createRequest(): InferRequest {
    return new OvnRequest(this.#addon, this.#compiled.createInferRequest(), this.inputs, this.#typeName);
  }
  release(): void {
    // Freed by garbage collection once unreferenced.
  }
}

export class OpenvinoNodeEngine implements Engine {
  readonly name = 'openvino-node';
  readonly version: string;
  #addon: OvnAddon;
  #core: OvnCore;
  #logger: Logger | undefined;
  #typeNames: Map<number, string>;

  constructor(addon: OvnAddon, logger?: Logger) {
    this.#addon = addon;
    this.#core = new addon.Core();
    this.version = addon.getOpenvinoVersion().buildNumber;
    this.#logger = logger?.child({ engine: 'openvino-node' });
    this.#typeNames = new Map(
      Object.entries(addon.element).flatMap(([k, v]) =>
        typeof v === 'number' ? [[v, k] as [number, string]] : [],
      ),
    );
  }

  availableDevices(): string[] {
    return this.#core.getAvailableDevices();
  }

  async load(options: LoadOptions): Promise<CompiledModel> {
    assertDeviceAvailable(options.device, this.availableDevices());
    try {
      const model = await this.#core.readModel(options.modelPath);
      const shapes = Object.entries(options.inputShapes ?? {});
      if (shapes.length > 0) model.reshape(new Map(shapes.map(([n, d]) => [n, shapeString(d)])));
      const declared = Object.entries(options.inputElementTypes ?? {});
      if (declared.length > 0) {
        const ppp = new this.#addon.preprocess.PrePostProcessor(model);
        for (const [name, type] of declared) ppp.input(name).tensor().setElementType(type);
        ppp.build();
      }
      const compiled = await this.#core.compileModel(model, options.device, { ...options.properties });
      this.#logger?.info({ model: options.modelPath, device: options.device }, 'model compiled');
      return new OvnCompiled(this.#addon, compiled, (code) => this.#typeNames.get(code) ?? `#${code}`);
    } catch (error: unknown) {
      if (error instanceof ServerError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ServerError('OVF_ERR_ENGINE_LOAD_FAILED', `load ${options.modelPath}: ${message}`, {
        cause: error,
      });
    }
  }
}
