// Events on the InferenceService (events.k8s.io/v1; `kubectl describe ovis` and `kubectl get events`
// show them). The same event for the same object is recorded once per quiet period, so a reconcile
// retried in a loop does not flood the API server.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

const REPORTING_CONTROLLER = 'ovfleet.io/operator';
const QUIET_MS = 10 * 60_000;

function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #recent = new Map<string, number>();

  constructor(client: KubeClient, instance: string, logger: Logger) {
    this.#client = client;
    this.#instance = instance;
    this.#log = logger;
  }

  /** Records an event; never throws (an event that cannot be written is logged and dropped). */
  async record(
    target: EventTarget,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const now = Date.now();
    const key = `${target.uid}|${type}|${reason}|${note}`;
    const last = this.#recent.get(key);
    if (last !== undefined && now - last < QUIET_MS) return;
    this.#recent.set(key, now);
    if (this.#recent.size > 10_000) this.#prune(now);
    const suffix = randomBytes(4).toString('hex');
    try {
      await this.#client.create(
        `/apis/events.k8s.io/v1/namespaces/${target.namespace}/events`,
        {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name: `${target.name}.${now.toString(16)}${suffix}`, namespace: target.namespace },
          eventTime: microTime(new Date(now)),
          reportingController: REPORTING_CONTROLLER,
          reportingInstance: this.#instance.slice(0, 128),
          action,
          reason,
          type,
          note: note.slice(0, 1024),
          regarding: {
            apiVersion: target.apiVersion,
            kind: target.kind,
            name: target.name,
            namespace: target.namespace,
            uid: target.uid,
          },
        },
        signal,
      );
    } catch (error: unknown) {
      this.#recent.delete(key);
      this.#log.warn(
        { reason, err: error instanceof Error ? error.message : String(error) },
        'event not recorded',
      );
    }
  }

  #prune(now: number): void {
    for (const [key, at] of this.#recent) if (now - at >= QUIET_MS) this.#recent.delete(key);
  }
}
