// A list-then-watch cache of one resource, like client-go's reflector + store. It survives watch
// errors and API-server restarts: a broken watch resumes from the last resourceVersion after a
// backoff; a 410 Gone (history compacted) relists and turns the difference into events, so no update
// and no deletion is lost. Handlers see every add/update/delete exactly as the cache does.
import type { Logger } from 'pino';
import { KubeApiError, type KubeClient } from './kube-client.ts';
import { type KubeObject, keyOf, type WatchEvent } from './kube-types.ts';

export interface InformerHandlers<T extends KubeObject> {
  /** An object appeared or changed (old is undefined for a new one). */
  onUpsert?: (object: T, old: T | undefined) => void;
  onDelete?: (object: T) => void;
}

export interface InformerOptions {
  client: KubeClient;
  /** Collection path, e.g. /apis/apps/v1/deployments or /apis/apps/v1/namespaces/x/deployments. */
  path: string;
  labelSelector?: string;
  logger: Logger;
  /** Called on every list/watch failure (for metrics). */
  onFailure?: (error: unknown) => void;
  /** Longest wait between retries after failures. */
  maxBackoffMs?: number;
}

const PAGE_SIZE = 500;

class Gone extends Error {
  override readonly name = 'Gone';
}

export class Informer<T extends KubeObject> {
  readonly #options: InformerOptions;
  readonly #cache = new Map<string, T>();
  readonly #handlers: InformerHandlers<T>[] = [];
  #resourceVersion = '';
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #running: Promise<void> | undefined;

  constructor(options: InformerOptions) {
    this.#options = options;
  }

  get hasSynced(): boolean {
    return this.#synced;
  }

  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers);
  }

  /** Starts listing and watching in the background until the signal aborts. */
  start(signal: AbortSignal): void {
    this.#running ??= this.#loop(signal);
  }

  /** Resolves after the first complete list (or when the signal aborts). */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.#synced || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#syncWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves when the loop has stopped after the signal aborted. */
  async stopped(): Promise<void> {
    await this.#running;
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const log = this.#options.logger;
    let needList = true;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#relist(signal);
          needList = false;
        }
        await this.#watch(signal);
        failures = 0;
      } catch (error: unknown) {
        if (signal.aborted) break;
        if (error instanceof Gone || (error instanceof KubeApiError && error.statusCode === 410)) {
          log.info({ path: this.#options.path }, 'watch history expired; relisting');
          needList = true;
          continue;
        }
        failures += 1;
        this.#options.onFailure?.(error);
        const delay = Math.min(250 * 2 ** Math.min(failures - 1, 10), this.#options.maxBackoffMs ?? 10_000);
        log.warn(
          {
            path: this.#options.path,
            err: error instanceof Error ? error.message : String(error),
            retryInMs: delay,
          },
          'list/watch failed; retrying',
        );
        await sleep(delay, signal);
      }
    }
  }

  async #relist(signal: AbortSignal): Promise<void> {
    const seen = new Map<string, T>();
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.#options.client.list<T>(
        this.#options.path,
        { limit: PAGE_SIZE, continue: token, labelSelector: this.#options.labelSelector },
        signal,
      );
      for (const item of page.items) seen.set(keyOf(item), item);
      token = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (token);
    for (const [key, old] of this.#cache) {
      if (!seen.has(key)) {
        this.#cache.delete(key);
        this.#emitDelete(old);
      }
    }
    for (const [key, object] of seen) {
      const old = this.#cache.get(key);
      this.#cache.set(key, object);
      if (old?.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.#emitUpsert(object, old);
    }
    this.#resourceVersion = resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const local = new AbortController();
    const both = AbortSignal.any([signal, local.signal]);
    let gone = false;
    const onEvent = (event: WatchEvent<T>): void => {
      if (gone) return;
      if (event.type === 'ERROR') {
        // The server sends a Status object; 410 means our resourceVersion is too old.
        const status = event.object as { code?: number };
        if (status.code === 410) gone = true;
        local.abort();
        return;
      }
      const object = event.object;
      const rv = object.metadata?.resourceVersion;
      if (rv) this.#resourceVersion = rv;
      if (event.type === 'BOOKMARK') return;
      const key = keyOf(object);
      if (event.type === 'DELETED') {
        this.#cache.delete(key);
        this.#emitDelete(object);
        return;
      }
      const old = this.#cache.get(key);
      this.#cache.set(key, object);
      this.#emitUpsert(object, old);
    };
    await this.#options.client.watch<T>(
      this.#options.path,
      {
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 60 + Math.floor(Math.random() * 60),
        labelSelector: this.#options.labelSelector,
      },
      onEvent,
      both,
    );
    if (gone) throw new Gone('resourceVersion too old');
    if (local.signal.aborted && !signal.aborted) throw new Error('watch ended with an error event');
  }

  #emitUpsert(object: T, old: T | undefined): void {
    for (const handler of this.#handlers) handler.onUpsert?.(object, old);
  }

  #emitDelete(object: T): void {
    for (const handler of this.#handlers) handler.onDelete?.(object);
  }
}

/** Waits ms milliseconds, or less if the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
