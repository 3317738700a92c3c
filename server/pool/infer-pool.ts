// nireq infer requests over one compiled model. Callers wait in a bounded FIFO for a free request;
// when the queue is full they are refused at once (OVF_ERR_POOL_QUEUE_FULL → HTTP 429 /
// RESOURCE_EXHAUSTED) instead of growing memory. A waiting caller leaves the queue when its AbortSignal
// fires (OVF_ERR_REQUEST_CANCELLED) or its wait deadline passes (OVF_ERR_POOL_DEADLINE). The deadline
// bounds the wait for a request; an inference once started runs to completion.
import type { Logger } from 'pino';
import type { CompiledModel, InferRequest, Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';

export interface InferPoolOptions {
  /** Parallel inferences (OpenVINO infer requests), ≥ 1. */
  readonly nireq: number;
  /** Callers allowed to wait for a free request; 0 means refuse whenever all requests are busy. */
  readonly maxQueue: number;
  readonly logger?: Logger;
}

export interface InferCallOptions {
  /** Aborts a caller still waiting in the queue. */
  readonly signal?: AbortSignal;
  /** Longest wait for a free infer request, in milliseconds (0 or absent: no limit). */
  readonly timeoutMs?: number;
}

export interface InferResult {
  readonly outputs: Map<string, Tensor>;
  /** Time spent waiting for a free infer request. */
  readonly waitMs: number;
  /** Time the inference itself took. */
  readonly inferMs: number;
}

export interface PoolStats {
  readonly nireq: number;
  /** Inferences running now. */
  readonly active: number;
  /** Callers waiting for a request now. */
  readonly queued: number;
  readonly maxQueue: number;
  readonly completed: number;
  readonly failed: number;
  readonly rejectedQueueFull: number;
  readonly timedOut: number;
  readonly cancelled: number;
}

interface Waiter {
  readonly grant: (request: InferRequest) => void;
}

export class InferPool {
  readonly nireq: number;
  readonly maxQueue: number;
  #free: InferRequest[];
  #all: InferRequest[];
  #queue: Waiter[] = [];
  #active = 0;
  #closed = false;
  #drained: Promise<void> | undefined;
  #idle: (() => void) | undefined;
  #logger: Logger | undefined;
  #counts = { completed: 0, failed: 0, rejectedQueueFull: 0, timedOut: 0, cancelled: 0 };

  constructor(model: CompiledModel, options: InferPoolOptions) {
    if (!Number.isInteger(options.nireq) || options.nireq < 1) {
      throw new ServerError(
        'OVF_ERR_CONFIG_INVALID',
        `nireq must be a positive integer, got ${options.nireq}`,
      );
    }
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new ServerError(
        'OVF_ERR_CONFIG_INVALID',
        `maxQueue must be a non-negative integer, got ${options.maxQueue}`,
      );
    }
    this.nireq = options.nireq;
    this.maxQueue = options.maxQueue;
    this.#logger = options.logger;
    this.#all = [];
    try {
      for (let i = 0; i < options.nireq; i++) this.#all.push(model.createRequest());
    } catch (error: unknown) {
      for (const r of this.#all) r.release();
      throw error;
    }
    this.#free = [...this.#all];
  }

  stats(): PoolStats {
    return {
      nireq: this.nireq,
      active: this.#active,
      queued: this.#queue.length,
      maxQueue: this.maxQueue,
      ...this.#counts,
    };
  }

  async infer(inputs: ReadonlyMap<string, Tensor>, options: InferCallOptions = {}): Promise<InferResult> {
    const queuedAt = performance.now();
    const request = await this.#acquire(options);
    const waitMs = performance.now() - queuedAt;
    this.#active++;
    const started = performance.now();
    try {
      const outputs = await request.infer(inputs);
      this.#counts.completed++;
      return { outputs, waitMs, inferMs: performance.now() - started };
    } catch (error: unknown) {
      this.#counts.failed++;
      throw error;
    } finally {
      this.#active--;
      this.#hand(request);
    }
  }

  /**
   * Stops accepting work, lets accepted work (running and queued) finish, then releases every infer
   * request. The compiled model stays with its owner. Idempotent.
   */
  drain(): Promise<void> {
    if (this.#drained) return this.#drained;
    this.#closed = true;
    this.#drained = new Promise<void>((resolve) => {
      this.#idle = resolve;
      this.#checkIdle();
    }).then(() => {
      for (const r of this.#all) r.release();
      this.#all = [];
      this.#free = [];
      this.#logger?.debug('infer pool drained');
    });
    return this.#drained;
  }

  #acquire(options: InferCallOptions): Promise<InferRequest> {
    if (this.#closed) return Promise.reject(new ServerError('OVF_ERR_POOL_CLOSED', 'model is unloading'));
    if (options.signal?.aborted) {
      this.#counts.cancelled++;
      return Promise.reject(
        new ServerError('OVF_ERR_REQUEST_CANCELLED', 'request cancelled before inference'),
      );
    }
    const ready = this.#queue.length === 0 ? this.#free.pop() : undefined;
    if (ready) return Promise.resolve(ready);
    if (this.#queue.length >= this.maxQueue) {
      this.#counts.rejectedQueueFull++;
      return Promise.reject(
        new ServerError(
          'OVF_ERR_POOL_QUEUE_FULL',
          `all ${this.nireq} infer requests busy and ${this.#queue.length} callers waiting (max_queue_size ${this.maxQueue})`,
        ),
      );
    }
    return new Promise<InferRequest>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const leave = (error: ServerError): void => {
        const index = this.#queue.indexOf(waiter);
        if (index < 0) return;
        this.#queue.splice(index, 1);
        cleanup();
        reject(error);
        this.#checkIdle();
      };
      const onAbort = (): void => {
        this.#counts.cancelled++;
        leave(
          new ServerError(
            'OVF_ERR_REQUEST_CANCELLED',
            'request cancelled while waiting for an infer request',
          ),
        );
      };
      const waiter: Waiter = {
        grant: (request) => {
          cleanup();
          resolve(request);
        },
      };
      this.#queue.push(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs && options.timeoutMs > 0) {
        const ms = options.timeoutMs;
        timer = setTimeout(() => {
          this.#counts.timedOut++;
          leave(new ServerError('OVF_ERR_POOL_DEADLINE', `no infer request free within ${ms} ms`));
        }, ms);
      }
    });
  }

  /** Gives a finished request to the first waiter, or back to the free list. */
  #hand(request: InferRequest): void {
    const next = this.#queue.shift();
    if (next) next.grant(request);
    else this.#free.push(request);
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (
      this.#idle &&
      this.#active === 0 &&
      this.#queue.length === 0 &&
      this.#free.length === this.#all.length
    ) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }
}
