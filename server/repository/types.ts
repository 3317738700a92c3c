// What the transports (gRPC, REST) see of the model repository. The repository owns loading,
// versions and reloads; the transports only look models up and call infer().
import type { PortInfo, Tensor } from '../engine/types.ts';

export type ModelState = 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

export interface InferOptions {
  /** Aborts waiting for a free infer request (the deadline, or the client going away). */
  readonly signal?: AbortSignal;
}

/** One served version of a model. */
export interface ServedModel {
  readonly name: string;
  readonly version: number;
  /** KServe v2 `platform`, e.g. "openvino_ir" or "onnx". */
  readonly platform: string;
  /** Inputs as clients send them (declared precisions already applied). */
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  /** Compiled-model properties read back from OpenVINO: NUM_STREAMS, INFERENCE_NUM_THREADS, … */
  readonly properties: Readonly<Record<string, string>>;
  readonly nireq: number;
  readonly state: ModelState;
  /** Runs one inference through the model's infer-request pool; rejects with a ServerError. */
  infer(inputs: ReadonlyMap<string, Tensor>, options?: InferOptions): Promise<Map<string, Tensor>>;
}

export interface ModelRegistry {
  /**
   * The served model, the given version or (without one) the highest available version.
   * Throws ServerError OVF_ERR_MODEL_NOT_FOUND / OVF_ERR_MODEL_VERSION_NOT_FOUND / OVF_ERR_MODEL_UNAVAILABLE.
   */
  get(name: string, version?: number): ServedModel;
  /** Every model name with its versions, for listings and readiness. */
  list(): readonly { name: string; versions: readonly ServedModel[] }[];
  /** True once every configured model has at least one AVAILABLE version. */
  ready(): boolean;
}
