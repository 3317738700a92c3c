// Follows every InferenceService of one namespace through a watch: when each became Ready, when each
// spec change (generation) was first seen and when status.observedGeneration caught up with it.
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, PLURAL, VERSION } from './services.ts';

interface Condition {
  readonly type?: string;
  readonly status?: string;
}
interface Observed {
  readonly metadata?: { readonly name?: string; readonly generation?: number };
  readonly status?: { readonly observedGeneration?: number; readonly conditions?: readonly Condition[] };
}

interface Entry {
  ready: boolean;
  /** generation → when the watch first saw it. */
  seen: Map<number, number>;
  /** generation → when observedGeneration first reached it. */
  observed: Map<number, number>;
}

export class ServiceTracker {
  #entries = new Map<string, Entry>();
  #abort: AbortController | undefined;
  #logger: Logger;
  #waiters: (() => void)[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async start(kc: KubeConfig, namespace: string): Promise<void> {
    const watch = new Watch(kc);
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
    const begin = async (): Promise<void> => {
      this.#abort = await watch.watch(
        path,
        { allowWatchBookmarks: false },
        (_type: string, obj: Observed) => this.#update(obj),
        (error: unknown) => {
          if (this.#abort === undefined) return;
          // client-node ends a watch after 30 s without events; start it again (a fresh list + watch).
          this.#logger.debug({ err: error }, 'watch ended; restarting');
          void begin();
        },
      );
    };
    await begin();
  }

  stop(): void {
    const a = this.#abort;
    this.#abort = undefined;
    a?.abort();
  }

  #update(obj: Observed): void {
    const name = obj.metadata?.name;
    if (name === undefined) return;
    const now = performance.now();
    const entry = this.#entries.get(name) ?? { ready: false, seen: new Map(), observed: new Map() };
    this.#entries.set(name, entry);
    const generation = obj.metadata?.generation;
    if (generation !== undefined && !entry.seen.has(generation)) entry.seen.set(generation, now);
    const og = obj.status?.observedGeneration;
    if (og !== undefined && !entry.observed.has(og)) entry.observed.set(og, now);
    entry.ready = obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  readyCount(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.ready) n++;
    return n;
  }

  /** Resolves when `predicate` holds, or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      signal?.throwIfAborted();
      if (performance.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
    return true;
  }

  /** Services whose status has caught up with generation ≥ `generation`. */
  observedCount(generation: number): number {
    let n = 0;
    for (const e of this.#entries.values()) if ([...e.observed.keys()].some((g) => g >= generation)) n++;
    return n;
  }

  /** Milliseconds from first seeing `generation` to observedGeneration reaching it, per service. */
  reconcileLatenciesMs(generation: number): number[] {
    const out: number[] = [];
    for (const e of this.#entries.values()) {
      const seen = e.seen.get(generation);
      const observed = [...e.observed.entries()].filter(([g]) => g >= generation).map(([, t]) => t);
      if (seen !== undefined && observed.length > 0) out.push(Math.max(0, Math.min(...observed) - seen));
    }
    return out;
  }
}
