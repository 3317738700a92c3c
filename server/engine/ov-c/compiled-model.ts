// A model compiled for one device: its ports (after preprocessing, i.e. the types clients send),
// properties read back from OpenVINO, and the infer requests made from it.
import { ServerError } from '../../errors.ts';
import type { CompiledModel, InferRequest, PortInfo } from '../types.ts';
import { OvcInferRequest } from './infer-request.ts';
import { type Out, type OvcApi, type Ptr, takeString } from './library.ts';
import { readPorts } from './ports.ts';
import { check } from './status.ts';

function count(api: OvcApi, fn: (out: Out<number>) => number, what: string): number {
  const out: Out<number> = [null];
  check(api, fn(out), 'OVF_ERR_ENGINE_LOAD_FAILED', what);
  return Number(out[0] ?? 0);
}

export class OvcCompiledModel implements CompiledModel {
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  #api: OvcApi;
  #handle: Ptr;
  #requests = new Set<OvcInferRequest>();
  #released = false;

  /** Takes ownership of `handle` (an ov_compiled_model_t); frees it if reading the ports fails. */
  constructor(api: OvcApi, handle: Ptr) {
    this.#api = api;
    this.#handle = handle;
    try {
      const nIn = count(api, (o) => api.ov_compiled_model_inputs_size(handle, o), 'inputs');
      const nOut = count(api, (o) => api.ov_compiled_model_outputs_size(handle, o), 'outputs');
      this.inputs = readPorts(
        api,
        nIn,
        (i, o) => api.ov_compiled_model_input_by_index(handle, i, o),
        'input',
      );
      this.outputs = readPorts(
        api,
        nOut,
        (i, o) => api.ov_compiled_model_output_by_index(handle, i, o),
        'output',
      );
    } catch (error: unknown) {
      api.ov_compiled_model_free(handle);
      throw error;
    }
  }

  getProperty(name: string): string {
    this.#assertOpen();
    const out: Out<Ptr> = [null];
    check(
      this.#api,
      this.#api.ov_compiled_model_get_property(this.#handle, name, out),
      'OVF_ERR_ENGINE_LOAD_FAILED',
      `property ${name}`,
    );
    return takeString(this.#api, out[0]);
  }

  createRequest(): InferRequest {
    this.#assertOpen();
    const request: OvcInferRequest = new OvcInferRequest(
      this.#api,
      this.#handle,
      this.inputs,
      this.outputs,
      () => this.#requests.delete(request),
    );
    this.#requests.add(request);
    return request;
  }

  /** Frees the compiled model after releasing any request still alive (the pool drains them first). */
  release(): void {
    if (this.#released) return;
    for (const request of [...this.#requests]) request.release();
    this.#released = true;
    this.#api.ov_compiled_model_free(this.#handle);
  }

  #assertOpen(): void {
    if (this.#released) throw new ServerError('OVF_ERR_MODEL_UNAVAILABLE', 'compiled model was released');
  }
}
