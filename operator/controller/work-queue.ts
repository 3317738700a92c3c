// The controller's one queue (CONVENTIONS 5), in the shape of client-go's workqueue: keys are
// namespace/name; a key waiting twice is queued once; a key being processed is never handed to a
// second worker — if it changes meanwhile it is queued again when the first worker is done; failures
// come back after an exponentially growing delay with a cap.

export interface WorkQueueOptions {
  /** Delay after the first failure of a key. */
  baseDelayMs: number;
  /** Upper bound of the retry delay. */
  maxDelayMs: number;
  /** Called whenever the number of waiting keys changes (for the queue-depth gauge). */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #shutDown = false;

  constructor(options: WorkQueueOptions) {
    this.#options = options;
  }

  /** Keys waiting to be processed (not counting those in flight or delayed). */
  get depth(): number {
    return this.#queue.length;
  }

  get inFlight(): number {
    return this.#processing.size;
  }

  add(key: string): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shutDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Re-adds a key that failed, after base × 2^(failures-1) ms, capped. Returns the delay used. */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = Math.min(this.#options.baseDelayMs * 2 ** (failures - 1), this.#options.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure history (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process; resolves undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#take(key);
      return Promise.resolve(key);
    }
    if (this.#shutDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks a key's processing finished; if it changed meanwhile it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
  }

  shutDown(): void {
    this.#shutDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake(undefined);
  }

  #take(key: string): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
    this.#options.onDepth?.(this.#queue.length);
  }

  #push(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#take(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
    this.#options.onDepth?.(this.#queue.length);
  }
}

/**
 * Runs `count` workers that take keys and process them until the signal aborts. A failed key is
 * retried with backoff; a successful one forgets its failures. Aborting shuts the queue down; resolves
 * when every worker has finished its current key and stopped.
 */
export async function runWorkers(
  queue: WorkQueue,
  count: number,
  process: (key: string) => Promise<void>,
  onError: (key: string, error: unknown, retryInMs: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const worker = async (): Promise<void> => {
    while (!signal.aborted) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await process(key);
        queue.forget(key);
      } catch (error: unknown) {
        if (!signal.aborted) onError(key, error, queue.addRateLimited(key));
      } finally {
        queue.done(key);
      }
    }
  };
  const stop = (): void => queue.shutDown();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all(Array.from({ length: count }, worker));
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
