// Per-request bookkeeping shared by both transports: the abort signal (client deadline, server
// default timeout, client gone), timing, and the metrics hooks.

import type { Tensor } from '../engine/types.ts';
import { ServerError, toServerError } from '../errors.ts';
import type { ServedModel } from '../repository/types.ts';
import type { Protocol, ServerMetrics } from './metrics-port.ts';

export class RequestContext {
  readonly #controller = new AbortController();
  readonly #started = performance.now();
  readonly #protocol: Protocol;
  readonly #metrics: ServerMetrics;
  #timer: NodeJS.Timeout | undefined;
  #inferUs = 0;
  #model = '';
  #version = 0;
  #finished = false;

  /** `timeoutMs`: the deadline from now (Infinity or 0 = none). */
  constructor(protocol: Protocol, metrics: ServerMetrics, timeoutMs: number) {
    this.#protocol = protocol;
    this.#metrics = metrics;
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.#controller.abort(
          new ServerError('OVF_ERR_POOL_DEADLINE', `deadline of ${Math.round(timeoutMs)} ms exceeded`),
        );
      }, timeoutMs);
      this.#timer.unref();
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The client went away. */
  cancel(): void {
    // Clients may reset a stream after reading the answer; a finished request has nothing to cancel.
    if (this.#finished || this.#controller.signal.aborted) return;
    this.#controller.abort(new ServerError('OVF_ERR_REQUEST_CANCELLED', 'request cancelled by the client'));
  }

  /** Names the model the request is for, so a request refused by validation counts under it. */
  bind(model: ServedModel): ServedModel {
    this.#model = model.name;
    this.#version = model.version;
    return model;
  }

  /** Runs the inference, counting it in current requests and timing it. */
  async infer(model: ServedModel, inputs: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>> {
    this.bind(model);
    if (this.#controller.signal.aborted) throw toServerError(this.#controller.signal.reason);
    this.#metrics.current(model.name, 1);
    const t0 = performance.now();
    try {
      return await model.infer(inputs, { signal: this.#controller.signal });
    } catch (error: unknown) {
      // A pool that rejects with the raw abort reason or a generic AbortError still maps to our code.
      if (this.#controller.signal.aborted && !(error instanceof ServerError)) {
        throw toServerError(this.#controller.signal.reason);
      }
      throw toServerError(error);
    } finally {
      this.#inferUs = Math.round((performance.now() - t0) * 1000);
      this.#metrics.current(model.name, -1);
    }
  }

  /** Records the request once; later calls do nothing. */
  finish(ok: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const totalUs = Math.round((performance.now() - this.#started) * 1000);
    this.#metrics.onRequest(this.#protocol, this.#model, this.#version, ok, {
      totalUs,
      inferUs: this.#inferUs,
      waitUs: 0,
    });
  }
}
