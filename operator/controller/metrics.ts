// The operator's Prometheus metrics, in one registry of their own (no global state).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ReconcileResult = 'success' | 'error' | 'invalid' | 'not_found';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'result'>;
  readonly reconcileErrors: Counter;
  readonly reconcileDuration: Histogram;
  readonly queueDepth: Gauge;
  readonly apiWrites: Counter<'verb' | 'resource'>;
  readonly watchFailures: Counter<'resource'>;
  readonly isLeader: Gauge;

  constructor() {
    const registers = [this.registry];
    this.reconciles = new Counter({
      name: 'ovfleet_reconcile_total',
      help: 'Reconciles of InferenceServices, by result',
      labelNames: ['result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'ovfleet_reconcile_errors_total',
      help: 'Reconciles that failed and will be retried with backoff',
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'ovfleet_reconcile_duration_seconds',
      help: 'Time one reconcile took',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'ovfleet_workqueue_depth',
      help: 'InferenceService keys waiting to be reconciled',
      registers,
    });
    this.apiWrites = new Counter({
      name: 'ovfleet_api_writes_total',
      help: 'Write requests (POST/PUT/PATCH/DELETE) sent to the API server, by verb and resource',
      labelNames: ['verb', 'resource'],
      registers,
    });
    this.watchFailures = new Counter({
      name: 'ovfleet_watch_failures_total',
      help: 'List/watch failures the informers recovered from, by resource',
      labelNames: ['resource'],
      registers,
    });
    this.isLeader = new Gauge({
      name: 'ovfleet_leader',
      help: '1 while this process holds the leader lease (or runs without leader election)',
      registers,
    });
    for (const result of ['success', 'error', 'invalid', 'not_found'] satisfies ReconcileResult[]) {
      this.reconciles.inc({ result }, 0);
    }
  }
}
