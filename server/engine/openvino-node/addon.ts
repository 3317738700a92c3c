// The slice of openvino-node's API (types/addon.d.ts of openvino-node 2026.4.0) this backend uses,
// declared here because the package is an optional dependency that may be absent at type-check time.
export type OvAny = string | number | boolean;
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export interface OvnTensor {
  getElementType(): number;
  getData(): TypedArray;
  getShape(): number[];
}
export interface OvnOutput {
  anyName: string;
  getPartialShape(): { getDimensions(): (number | [number, number])[] };
}
export interface OvnInferRequest {
  inferAsync(inputs: Record<string, OvnTensor>): Promise<Record<string, OvnTensor>>;
  getInputTensor(index: number): OvnTensor;
  getOutputTensor(index: number): OvnTensor;
}
export interface OvnCompiledModel {
  inputs: OvnOutput[];
  outputs: OvnOutput[];
  getProperty(name: string): OvAny;
  createInferRequest(): OvnInferRequest;
}
export interface OvnModel {
  reshape(shapes: Map<string, string>): OvnModel;
}
export interface OvnCore {
  getAvailableDevices(): string[];
  readModel(path: string): Promise<OvnModel>;
  compileModel(model: OvnModel, device: string, config?: Record<string, OvAny>): Promise<OvnCompiledModel>;
}
export interface OvnAddon {
  Core: new () => OvnCore;
  Tensor: new (type: string, shape: number[], data: TypedArray) => OvnTensor;
  preprocess: {
    PrePostProcessor: new (
      model: OvnModel,
    ) => { input(name: string): { tensor(): { setElementType(type: string): unknown } }; build(): unknown };
  };
  element: Record<string, number | string>;
  getOpenvinoVersion(): { buildNumber: string };
}
