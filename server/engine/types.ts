// The engine contract: one interface, several OpenVINO backends (ov-c through koffi, openvino-node).
// Nothing above this layer knows which backend runs.

/** OpenVINO element types the server can serve (names as OpenVINO spells them). */
export const ELEMENT_TYPES = [
  'boolean',
  'i8',
  'i16',
  'i32',
  'i64',
  'u8',
  'u16',
  'u32',
  'u64',
  'f16',
  'bf16',
  'f32',
  'f64',
] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

/** Bytes per element for each element type. */
export const ELEMENT_SIZE: Record<ElementType, number> = {
  boolean: 1,
  i8: 1,
  i16: 2,
  i32: 4,
  i64: 8,
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  f16: 2,
  bf16: 2,
  f32: 4,
  f64: 8,
};

/** One dimension of a model's port: a fixed size, or a range where `max` -1 means unbounded. */
export type Dimension = number | { min: number; max: number };

export interface PortInfo {
  /** The primary tensor name (the first of `names`). */
  readonly name: string;
  readonly names: readonly string[];
  readonly elementType: ElementType;
  readonly shape: readonly Dimension[];
}

/** A dense tensor in host memory; `data` holds shape-product × element-size bytes, little-endian. */
export interface Tensor {
  readonly elementType: ElementType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export interface InferRequest {
  /**
   * Runs one inference asynchronously; resolves with every output keyed by its primary name.
   * Never blocks the event loop. One call at a time per request (the pool guarantees it).
   */
  infer(inputs: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>>;
  release(): void;
}

export interface CompiledModel {
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  /** A compiled-model property read back from OpenVINO, e.g. NUM_STREAMS, INFERENCE_NUM_THREADS. */
  getProperty(name: string): string;
  createRequest(): InferRequest;
  release(): void;
}

export interface LoadOptions {
  /** Path of the model file: IR `.xml` (weights beside it as `.bin`) or `.onnx`. */
  readonly modelPath: string;
  /** OpenVINO device name: CPU, GPU, NPU, HDDL, AUTO, … */
  readonly device: string;
  /** Properties passed to compile_model (plugin_config), values as strings. */
  readonly properties: Readonly<Record<string, string>>;
  /**
   * Declared input element types that differ from the model's (e.g. u8 for an f32 input): the
   * conversion happens inside OpenVINO's preprocessing, so clients may send the smaller type.
   */
  readonly inputElementTypes?: Readonly<Record<string, ElementType>>;
  /** Fixed or ranged input shapes to reshape to before compiling, keyed by input name. */
  readonly inputShapes?: Readonly<Record<string, readonly Dimension[]>>;
}

export type EngineName = 'ov-c' | 'openvino-node';

export interface Engine {
  readonly name: EngineName;
  /** OpenVINO build version, e.g. "2026.4.1-…". */
  readonly version: string;
  availableDevices(): string[];
  load(options: LoadOptions): Promise<CompiledModel>;
}
