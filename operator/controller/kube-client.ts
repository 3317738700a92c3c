// A thin REST client over the Kubernetes API. Authentication, TLS and the HTTP stack come from
// @kubernetes/client-node (KubeConfig + its fetch library); this layer adds what the controller needs
// and the generated clients make awkward: plain JSON objects (no class deserialisation), server-side
// apply, a count of every write (so "reconcile twice changes nothing" can be measured), and watch
// streams that end cleanly on an AbortSignal.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { KubeObject, ObjectList, WatchEvent } from './kube-types.ts';

export const FIELD_MANAGER = 'ovfleet-operator';

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHOD: Record<Verb, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

/** A non-2xx answer from the API server, with its HTTP status and the Status object's reason. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly statusCode: number;
  readonly reason: string;
  constructor(statusCode: number, reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.statusCode === 409;
}

/** Called after every write request (POST/PUT/PATCH/DELETE) that reached the server. */
export type WriteObserver = (verb: Verb, resource: string) => void;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/** The resource segment of an API path (deployments, inferenceservices, leases, …) for metrics. */
export function resourceOf(path: string): string {
  const parts = path.split('?')[0]?.split('/') ?? [];
  const ns = parts.indexOf('namespaces');
  if (ns >= 0 && parts.length > ns + 2) {
    const rest = parts.slice(ns + 2);
    return rest.length >= 3 ? `${rest[0]}/${rest[2]}` : (rest[0] ?? 'unknown');
  }
  const last = parts.filter((p) => p !== '');
  if (last.length >= 4 && last[0] === 'apis') return last[3] ?? 'unknown';
  if (last.length >= 3 && last[0] === 'api') return last[2] ?? 'unknown';
  return 'unknown';
}

export class KubeClient {
  readonly #kc: KubeConfig;
  readonly #http = new IsomorphicFetchHttpLibrary();
  readonly #server: string;
  #onWrite: WriteObserver | undefined;
  /** One connection pool for the process: client-node builds a new one per request otherwise. */
  #dispatcher: ReturnType<RequestContext['getDispatcher']>;

  constructor(kc: KubeConfig, onWrite?: WriteObserver) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.#kc = kc;
    this.#server = cluster.server.replace(/\/$/, '');
    this.#onWrite = onWrite;
  }

  set onWrite(observer: WriteObserver | undefined) {
    this.#onWrite = observer;
  }

  async #send(verb: Verb, path: string, options: RequestOptions): Promise<ResponseContext> {
    const url = new URL(this.#server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const ctx = new RequestContext(url.toString(), METHOD[verb]);
    ctx.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    if (options.signal) ctx.setSignal(options.signal);
    await this.#kc.applySecurityAuthentication(ctx);
    this.#dispatcher ??= ctx.getDispatcher();
    if (this.#dispatcher) ctx.setDispatcher(this.#dispatcher);
    const response = await this.#http.send(ctx).toPromise();
    if (verb !== 'GET' && response.httpStatusCode < 500) this.#onWrite?.(verb, resourceOf(path));
    return response;
  }

  /** One request; resolves to the parsed JSON body, throws KubeApiError on a non-2xx answer. */
  async request<T>(verb: Verb, path: string, options: RequestOptions = {}): Promise<T> {
    let response: ResponseContext;
    try {
      response = await this.#send(verb, path, options);
    } catch (error: unknown) {
      if (options.signal?.aborted) throw error;
      throw new Error(`${verb} ${path}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) {
      return (text === '' ? {} : JSON.parse(text)) as T;
    }
    let reason = 'Unknown';
    let message = text;
    try {
      const status = JSON.parse(text) as { reason?: string; message?: string };
      reason = status.reason ?? reason;
      message = status.message ?? message;
    } catch {
      // not a Status object; keep the raw text
    }
    throw new KubeApiError(
      response.httpStatusCode,
      reason,
      `${verb} ${path}: ${response.httpStatusCode} ${message}`,
    );
  }

  get<T extends KubeObject>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, signal ? { signal } : {});
  }

  list<T extends KubeObject>(path: string, query: RequestOptions['query'], signal?: AbortSignal) {
    return this.request<ObjectList<T>>('GET', path, { query: query ?? {}, ...(signal ? { signal } : {}) });
  }

  /** Server-side apply with the operator's field manager; force takes back fields others changed. */
  apply<T extends KubeObject>(path: string, object: KubeObject, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: true },
      ...(signal ? { signal } : {}),
    });
  }

  mergePatch<T extends KubeObject>(path: string, patch: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PATCH', path, {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: FIELD_MANAGER },
      ...(signal ? { signal } : {}),
    });
  }

  create<T extends KubeObject>(path: string, object: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', path, {
      body: object,
      query: { fieldManager: FIELD_MANAGER },
      ...(signal ? { signal } : {}),
    });
  }

  replace<T extends KubeObject>(path: string, object: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PUT', path, {
      body: object,
      query: { fieldManager: FIELD_MANAGER },
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Opens a watch and calls onEvent for each event until the server ends the stream (resolves),
   * the connection breaks (rejects) or the signal aborts (resolves).
   */
  async watch<T extends KubeObject>(
    path: string,
    query: RequestOptions['query'],
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await this.#send('GET', path, { query: { ...query, watch: true }, signal });
    if (response.httpStatusCode !== 200) {
      const text = await response.body.text();
      throw new KubeApiError(response.httpStatusCode, 'WatchFailed', `watch ${path}: ${text}`);
    }
    const stream = response.body.stream();
    if (!stream) return;
    const lines = createInterface({
      input: Readable.fromWeb(stream as never),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } catch (error: unknown) {
      if (signal.aborted) return;
      throw new Error(`watch ${path} broke`, { cause: error });
    }
  }
}
