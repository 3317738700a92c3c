// One served model version: a compiled model plus its infer-request pool, as the transports see it
// (the ServedModel contract). It counts its own in-flight requests so an unload can wait for them:
// a request that already holds this object completes on it even after a reload switched the
// registry to a newer version; one that arrives after the drain finished is handed to the model's
// current default version instead of failing.
import type { Logger } from 'pino';
import type { CompiledModel, PortInfo, Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import type { InferOptions, ModelState, ServedModel } from './types.ts';

/** What a served version needs from the engine's infer-request pool (server/pool InferPool). */
export interface PoolPort {
  infer(
    inputs: ReadonlyMap<string, Tensor>,
    options?: { signal?: AbortSignal },
  ): Promise<{ outputs: Map<string, Tensor>; waitMs: number; inferMs: number }>;
  /** `active`: infer requests in use now. */
  stats(): { active: number };
  /** Lets queued and running inferences finish, rejects new ones, releases the requests. */
  drain(): Promise<void>;
}

/** What a served version reports to the metrics registry. */
export interface VersionMetricsSink {
  inFlight(name: string, version: number, delta: 1 | -1): void;
  inference(name: string, version: number, waitUs: number, inferUs: number): void;
}

export const noVersionMetrics: VersionMetricsSink = { inFlight() {}, inference() {} };

export interface ServedVersionInit {
  readonly name: string;
  readonly version: number;
  readonly platform: string;
  readonly compiled: CompiledModel;
  readonly pool: PoolPort;
  readonly nireq: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly metrics: VersionMetricsSink;
  readonly logger: Logger;
}

export class ServedVersion implements ServedModel {
  readonly name: string;
  readonly version: number;
  readonly platform: string;
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  readonly properties: Readonly<Record<string, string>>;
  readonly nireq: number;
  #state: ModelState = 'AVAILABLE';
  #compiled: CompiledModel;
  #pool: PoolPort;
  #metrics: VersionMetricsSink;
  #logger: Logger;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  #successor: (() => ServedModel) | undefined;
  #served = 0;

  constructor(init: ServedVersionInit) {
    this.name = init.name;
    this.version = init.version;
    this.platform = init.platform;
    this.inputs = init.compiled.inputs;
    this.outputs = init.compiled.outputs;
    this.properties = Object.freeze({ ...init.properties });
    this.nireq = init.nireq;
    this.#compiled = init.compiled;
    this.#pool = init.pool;
    this.#metrics = init.metrics;
    this.#logger = init.logger;
  }

  get state(): ModelState {
    return this.#state;
  }

  /** Requests currently inside infer(). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests completed successfully by this version. */
  get served(): number {
    return this.#served;
  }

  get activeInferRequests(): number {
    return this.#pool.stats().active;
  }

  get streams(): number {
    const n = Number(this.properties.NUM_STREAMS);
    return Number.isFinite(n) ? n : 0;
  }

  async infer(inputs: ReadonlyMap<string, Tensor>, options?: InferOptions): Promise<Map<string, Tensor>> {
    if (this.#state === 'END') {
      if (this.#successor === undefined) {
        throw new ServerError(
          'OVF_ERR_MODEL_UNAVAILABLE',
          `model ${this.name} version ${this.version} was unloaded`,
        );
      }
      return this.#successor().infer(inputs, options);
    }
    this.#inFlight++;
    this.#metrics.inFlight(this.name, this.version, 1);
    try {
      const { outputs, waitMs, inferMs } = await this.#pool.infer(
        inputs,
        options?.signal ? { signal: options.signal } : {},
      );
      this.#metrics.inference(this.name, this.version, waitMs * 1000, inferMs * 1000);
      this.#served++;
      return outputs;
    } finally {
      this.#metrics.inFlight(this.name, this.version, -1);
      this.#inFlight--;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  /**
   * Takes the version out of service: waits for the requests that hold it, drains the pool and
   * releases the compiled model. `successor` serves stragglers that arrive after the drain.
   */
  async unload(successor: (() => ServedModel) | undefined, graceMs = 0): Promise<void> {
    if (this.#state !== 'AVAILABLE') return;
    this.#state = 'UNLOADING';
    this.#successor = successor;
    // Requests that looked this version up but have not called infer() yet (still reading their
    // body) get `graceMs` to arrive; every arrival restarts the wait for idleness.
    do {
      if (this.#inFlight > 0) {
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
        });
      }
      if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
    } while (this.#inFlight > 0);
    this.#state = 'END';
    await this.#pool.drain();
    this.#compiled.release();
    this.#logger.info({ served: this.#served }, 'model version unloaded');
  }
}
