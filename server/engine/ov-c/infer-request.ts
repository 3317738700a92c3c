// One OpenVINO infer request. Inference never blocks the event loop: ov_infer_request_start_async
// returns at once, OpenVINO runs the request on its own threads and calls the completion callback
// (registered once per request) from one of them; koffi queues that call onto the JS thread, where it
// settles the pending promise. ov_infer_request_wait then only collects the outcome (it rethrows an
// inference failure as a status) and returns immediately.
import { ServerError } from '../../errors.ts';
import type { InferRequest, PortInfo, Tensor } from '../types.ts';
import { createCallback, type NativeCallback, type Out, type OvcApi, type Ptr } from './library.ts';
import { check, lastError } from './status.ts';
import { InputSlot, OutputReader } from './tensor.ts';

function findInput(inputs: ReadonlyMap<string, Tensor>, port: PortInfo): Tensor | undefined {
  for (const name of port.names) {
    const tensor = inputs.get(name);
    if (tensor) return tensor;
  }
  return undefined;
}

// A completion callback arriving from an OpenVINO thread does not keep Node's event loop alive, so
// while any inference is in flight one idle timer is referenced (made once, then ref'd and unref'd).
let inFlight = 0;
let keepAlive: NodeJS.Timeout | undefined;
function holdLoop(): void {
  if (inFlight++ === 0) {
    keepAlive ??= setInterval(() => {}, 1 << 30);
    keepAlive.ref();
  }
}
function releaseLoop(): void {
  if (--inFlight === 0) keepAlive?.unref();
}

// Scratch out-parameter for the synchronous FFI calls below.
const outTensor: Out<Ptr> = [null];

export class OvcInferRequest implements InferRequest {
  #api: OvcApi;
  #handle: Ptr;
  #callback: NativeCallback;
  #inputs: readonly PortInfo[];
  #outputs: readonly PortInfo[];
  #inputSlots: readonly InputSlot[];
  #outputReaders: readonly OutputReader[];
  #onRelease: () => void;
  #done: (() => void) | null = null;
  #released = false;
  #releasing = false;

  constructor(
    api: OvcApi,
    compiled: Ptr,
    inputs: readonly PortInfo[],
    outputs: readonly PortInfo[],
    onRelease: () => void,
  ) {
    this.#api = api;
    this.#inputs = inputs;
    this.#outputs = outputs;
    this.#onRelease = onRelease;
    this.#inputSlots = inputs.map((port) => new InputSlot(api, port));
    this.#outputReaders = outputs.map((port) => new OutputReader(api, port));
    const out: Out<Ptr> = [null];
    check(
      api,
      api.ov_compiled_model_create_infer_request(compiled, out),
      'OVF_ERR_ENGINE_LOAD_FAILED',
      'create infer request',
    );
    this.#handle = out[0] ?? 0n;
    this.#callback = createCallback(() => {
      const done = this.#done;
      this.#done = null;
      done?.();
    });
    const status = api.ov_infer_request_set_callback(this.#handle, this.#callback.struct);
    if (status !== 0) {
      const error = lastError(api, status);
      this.#free();
      throw new ServerError('OVF_ERR_ENGINE_LOAD_FAILED', `set infer request callback: ${error}`);
    }
  }

  async infer(inputs: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>> {
    if (this.#released) throw new ServerError('OVF_ERR_POOL_CLOSED', 'infer request was released');
    if (this.#done)
      throw new ServerError('OVF_ERR_INTERNAL', 'infer request is busy (one inference at a time)');
    const api = this.#api;
    const ports = this.#inputs;
    for (let index = 0; index < ports.length; index++) {
      const port = ports[index] as PortInfo;
      const slot = this.#inputSlots[index] as InputSlot;
      const tensor = findInput(inputs, port);
      if (!tensor) throw new ServerError('OVF_ERR_REQUEST_INVALID', `missing input ${port.name}`);
      if (tensor.elementType !== port.elementType) {
        throw new ServerError(
          'OVF_ERR_REQUEST_INVALID',
          `input ${port.name}: expected ${port.elementType}, got ${tensor.elementType}`,
        );
      }
      const created = slot.fill(tensor);
      if (created === 0n) continue; // refilled the tensor already set on the request
      try {
        check(
          api,
          api.ov_infer_request_set_input_tensor_by_index(this.#handle, index, created),
          'OVF_ERR_REQUEST_INVALID',
          `input ${port.name}`,
        );
      } catch (error: unknown) {
        slot.discard();
        throw error;
      }
      slot.adopt(); // the request keeps its own reference; the slot keeps ours to refill in place
    }
    const completed = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    const started = api.ov_infer_request_start_async(this.#handle);
    if (started !== 0) {
      this.#done = null;
      check(api, started, 'OVF_ERR_ENGINE_INFER_FAILED', 'start inference');
    }
    holdLoop();
    try {
      await completed;
    } finally {
      releaseLoop();
    }
    const status = api.ov_infer_request_wait(this.#handle);
    if (this.#releasing) {
      this.#free();
      throw new ServerError('OVF_ERR_POOL_CLOSED', 'infer request was released during inference');
    }
    check(api, status, 'OVF_ERR_ENGINE_INFER_FAILED', 'inference');
    const results = new Map<string, Tensor>();
    const readers = this.#outputReaders;
    for (let index = 0; index < readers.length; index++) {
      const port = this.#outputs[index] as PortInfo;
      outTensor[0] = null;
      check(
        api,
        api.ov_infer_request_get_output_tensor_by_index(this.#handle, index, outTensor),
        'OVF_ERR_ENGINE_INFER_FAILED',
        `output ${port.name}`,
      );
      const handle = outTensor[0] ?? 0n;
      try {
        results.set(port.name, (readers[index] as OutputReader).read(handle));
      } finally {
        api.ov_tensor_free(handle);
      }
    }
    return results;
  }

  release(): void {
    if (this.#released || this.#releasing) return;
    if (this.#done) {
      // Still running (the pool never does this): cancel, and free once the completion callback has
      // come back — blocking here in ov_infer_request_wait could deadlock with that very callback.
      this.#releasing = true;
      this.#api.ov_infer_request_cancel(this.#handle);
      return;
    }
    this.#free();
  }

  #free(): void {
    this.#released = true;
    this.#api.ov_infer_request_free(this.#handle);
    for (const slot of this.#inputSlots) slot.free();
    this.#callback.release();
    this.#onRelease();
  }
}
