// FakeCompiledModel: a stand-in for a compiled model, used ONLY for the pool's timing and fault cases
// that real OpenVINO cannot produce on demand (an inference that finishes exactly when the test says,
// or one that fails). Everything else in the pool tests runs real OpenVINO.
import type { CompiledModel, InferRequest, PortInfo, Tensor } from '../../../server/engine/types.ts';
import { ServerError } from '../../../server/errors.ts';

export class FakeInferRequest implements InferRequest {
  readonly id: number;
  released = false;
  #pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #failNext: Error | undefined;
  constructor(id: number) {
    this.id = id;
  }
  infer(inputs: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>> {
    const failure = this.#failNext;
    this.#failNext = undefined;
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve: () => resolve(new Map(inputs)), reject });
    });
  }
  /** Finishes the running inference (echoing its inputs). */
  finish(): void {
    this.#pending.shift()?.resolve();
  }
  failNext(message: string): void {
    this.#failNext = new ServerError('OVF_ERR_ENGINE_INFER_FAILED', message);
  }
  get busy(): boolean {
    return this.#pending.length > 0;
  }
  release(): void {
    this.released = true;
  }
}

export class FakeCompiledModel implements CompiledModel {
  readonly inputs: readonly PortInfo[] = [{ name: 'x', names: ['x'], elementType: 'f32', shape: [1] }];
  readonly outputs: readonly PortInfo[] = [{ name: 'x', names: ['x'], elementType: 'f32', shape: [1] }];
  readonly requests: FakeInferRequest[] = [];
  getProperty(): string {
    return '';
  }
  createRequest(): FakeInferRequest {
    const request = new FakeInferRequest(this.requests.length);
    this.requests.push(request);
    return request;
  }
  release(): void {}
  /** The request currently running an inference (the test finishes it). */
  busy(): FakeInferRequest {
    const r = this.requests.find((q) => q.busy);
    if (!r) throw new Error('no busy request');
    return r;
  }
}
