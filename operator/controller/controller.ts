// Wires informers to the queue and the queue to reconcile. Informers run in every replica (a
// standby keeps warm caches); only the leader runs workers and so only the leader writes.
import type { Logger } from 'pino';
import { CHILD_API, CHILD_KINDS, type ChildKind, childPath } from './apply.ts';
import type { EventRecorder } from './events.ts';
import { Informer } from './informer.ts';
import type { KubeClient } from './kube-client.ts';
import { type KubeObject, keyOf, type Node } from './kube-types.ts';
import type { ControllerMetrics } from './metrics.ts';
import { type DesiredState, isvcPath, reconcile } from './reconcile.ts';
import { runWorkers, WorkQueue } from './work-queue.ts';

export interface ControllerConfig {
  client: KubeClient;
  events: EventRecorder;
  desired: DesiredState;
  metrics: ControllerMetrics;
  logger: Logger;
  /** Watch one namespace, or all when undefined. */
  namespace: string | undefined;
  /** Label every rendered child carries, used to watch only ours. */
  childSelector: string;
  resyncMs: number;
  workers: number;
}

export class Controller {
  readonly #config: ControllerConfig;
  readonly #queue: WorkQueue;
  readonly #isvcs: Informer<KubeObject>;
  readonly #children: Record<ChildKind, Informer<KubeObject>>;
  readonly #nodes: Informer<Node>;
  #nodeSummary = '';

  constructor(config: ControllerConfig) {
    this.#config = config;
    const { client, logger, metrics } = config;
    this.#queue = new WorkQueue({
      baseDelayMs: 500,
      maxDelayMs: 60_000,
      onDepth: (depth) => metrics.queueDepth.set(depth),
    });
    const informer = <T extends KubeObject>(path: string, resource: string, labelSelector?: string) =>
      new Informer<T>({
        client,
        path,
        logger: logger.child({ informer: resource }),
        onFailure: () => metrics.watchFailures.inc({ resource }),
        ...(labelSelector ? { labelSelector } : {}),
      });
    this.#isvcs = informer(isvcPath(config.namespace), 'inferenceservices');
    this.#children = Object.fromEntries(
      CHILD_KINDS.map((kind) => {
        const api = CHILD_API[kind];
        const path = config.namespace ? childPath(kind, config.namespace) : `${api.group}/${api.plural}`;
        return [kind, informer(path, api.plural, config.childSelector)];
      }),
    ) as Record<ChildKind, Informer<KubeObject>>;
    this.#nodes = informer<Node>('/api/v1/nodes', 'nodes');
    this.#wire();
  }

  get queue(): WorkQueue {
    return this.#queue;
  }

  get #informers(): Informer<KubeObject>[] {
    return [this.#isvcs, ...Object.values(this.#children), this.#nodes as Informer<KubeObject>];
  }

  get synced(): boolean {
    return this.#informers.every((i) => i.hasSynced);
  }

  /** Starts every informer (standby replicas too). */
  startInformers(signal: AbortSignal): void {
    for (const i of this.#informers) i.start(signal);
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.waitForSync(signal)));
  }

  async informersStopped(): Promise<void> {
    await Promise.all(this.#informers.map((i) => i.stopped()));
  }

  /**
   * Runs the workers and the resync timer until `signal` aborts. Reconciles get `reconcileSignal`,
   * which the caller aborts later than `signal` so an in-flight reconcile can finish its writes.
   */
  async run(signal: AbortSignal, reconcileSignal: AbortSignal): Promise<void> {
    const { metrics, logger } = this.#config;
    for (const isvc of this.#isvcs.list()) this.#queue.add(keyOf(isvc));
    const resync = setInterval(() => {
      for (const isvc of this.#isvcs.list()) this.#queue.add(keyOf(isvc));
    }, this.#config.resyncMs);
    resync.unref();
    const deps = {
      client: this.#config.client,
      events: this.#config.events,
      desired: this.#config.desired,
      inferenceService: (key: string) => this.#isvcs.get(key),
      child: (kind: ChildKind, namespace: string, name: string) =>
        this.#children[kind].get(`${namespace}/${name}`),
      nodes: () => this.#nodes.list(),
      logger,
    };
    try {
      await runWorkers(
        this.#queue,
        this.#config.workers,
        async (key) => {
          const end = metrics.reconcileDuration.startTimer();
          try {
            const result = await reconcile(key, deps, reconcileSignal);
            metrics.reconciles.inc({ result });
          } catch (error: unknown) {
            metrics.reconciles.inc({ result: 'error' });
            metrics.reconcileErrors.inc();
            throw error;
          } finally {
            end();
          }
        },
        (key, error, retryInMs) =>
          logger.warn(
            { key, retryInMs, err: error instanceof Error ? error.message : String(error) },
            'reconcile failed; will retry',
          ),
        signal,
      );
    } finally {
      clearInterval(resync);
    }
  }

  #wire(): void {
    const enqueue = (key: string): void => this.#queue.add(key);
    this.#isvcs.addHandlers({
      onUpsert: (isvc, old) => {
        // Our own status writes change neither generation nor metadata: no need to reconcile again.
        if (
          old === undefined ||
          old.metadata?.generation !== isvc.metadata?.generation ||
          JSON.stringify(old.metadata?.labels) !== JSON.stringify(isvc.metadata?.labels) ||
          old.metadata?.deletionTimestamp !== isvc.metadata?.deletionTimestamp
        ) {
          enqueue(keyOf(isvc));
        }
      },
      onDelete: (isvc) => enqueue(keyOf(isvc)),
    });
    const toOwner = (child: KubeObject): void => {
      for (const ref of child.metadata?.ownerReferences ?? []) {
        if (ref.controller && ref.kind === 'InferenceService' && ref.apiVersion.startsWith('ovfleet.io/')) {
          enqueue(`${child.metadata?.namespace}/${ref.name}`);
        }
      }
    };
    for (const informer of Object.values(this.#children)) {
      informer.addHandlers({ onUpsert: (child) => toOwner(child), onDelete: (child) => toOwner(child) });
    }
    const nodesChanged = (): void => {
      const summary = JSON.stringify(
        this.#nodes
          .list()
          .map((n) => [
            n.metadata?.name,
            n.spec?.unschedulable,
            n.spec?.taints,
            n.status?.allocatable,
            n.status?.conditions?.find((x) => x.type === 'Ready')?.status,
          ])
          .sort(),
      );
      if (summary === this.#nodeSummary) return;
      this.#nodeSummary = summary;
      for (const isvc of this.#isvcs.list()) enqueue(keyOf(isvc));
    };
    this.#nodes.addHandlers({ onUpsert: nodesChanged, onDelete: nodesChanged });
  }
}
