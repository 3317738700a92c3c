// Prometheus metrics under OpenVINO Model Server's names and labels, so existing dashboards and the
// HPA recipe (ovms_current_requests / ovms_streams) work unchanged. One prom-client Registry per
// server (never the global one).
//
//   counter   ovms_requests_success / ovms_requests_fail   {api,interface,method,name,version}
//   histogram ovms_request_time_us                         {interface,name,version}
//   histogram ovms_inference_time_us                       {name,version}
//   histogram ovms_wait_for_infer_req_time_us              {name,version}
//   gauge     ovms_current_requests                        {name,version}
//   gauge     ovms_streams                                 {name,version}  NUM_STREAMS of the compiled model
//   gauge     ovms_infer_req_queue_size                    {name,version}  nireq (infer requests in the pool)
//   gauge     ovms_infer_req_active                        {name,version}  infer requests in use now
//
// Transports report finished requests through the ServerMetrics port (request totals); the served
// model itself records inference and wait times and the in-flight count, because only it knows the
// version that ran and when the pool granted an infer request.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Protocol, RequestTiming, ServerMetrics } from './protocol/metrics-port.ts';

/** OVMS buckets: microseconds, 10 growing by ×1.8 (10, 18, 32, 58, … ≈ 4.3e7). */
export const OVMS_BUCKETS_US: readonly number[] = Array.from({ length: 27 }, (_, i) =>
  Math.floor(10 * 1.8 ** i),
);

const INTERFACE: Record<Protocol, string> = { grpc: 'gRPC', rest: 'REST' };

/** What the gauges read at scrape time, one entry per served model version. */
export interface VersionGauges {
  readonly name: string;
  readonly version: number;
  readonly streams: number;
  readonly nireq: number;
  readonly active: number;
}

export type GaugeSource = () => Iterable<VersionGauges>;

export class OvmsMetrics implements ServerMetrics {
  readonly registry = new Registry();
  #requestsSuccess: Counter<'api' | 'interface' | 'method' | 'name' | 'version'>;
  #requestsFail: Counter<'api' | 'interface' | 'method' | 'name' | 'version'>;
  #requestTime: Histogram<'interface' | 'name' | 'version'>;
  #inferenceTime: Histogram<'name' | 'version'>;
  #waitTime: Histogram<'name' | 'version'>;
  #current: Gauge<'name' | 'version'>;
  #source: GaugeSource = () => [];

  constructor() {
    const registers = [this.registry];
    const buckets = [...OVMS_BUCKETS_US];
    const requestLabels = ['api', 'interface', 'method', 'name', 'version'] as const;
    this.#requestsSuccess = new Counter({
      name: 'ovms_requests_success',
      help: 'Number of successful requests to a model or a DAG.',
      labelNames: requestLabels,
      registers,
    });
    this.#requestsFail = new Counter({
      name: 'ovms_requests_fail',
      help: 'Number of failed requests to a model or a DAG.',
      labelNames: requestLabels,
      registers,
    });
    this.#requestTime = new Histogram({
      name: 'ovms_request_time_us',
      help: 'Processing time of requests to a model or a DAG.',
      labelNames: ['interface', 'name', 'version'],
      buckets,
      registers,
    });
    this.#inferenceTime = new Histogram({
      name: 'ovms_inference_time_us',
      help: 'Inference execution time in the OpenVINO backend.',
      labelNames: ['name', 'version'],
      buckets,
      registers,
    });
    this.#waitTime = new Histogram({
      name: 'ovms_wait_for_infer_req_time_us',
      help: 'Request waiting time in the scheduling queue.',
      labelNames: ['name', 'version'],
      buckets,
      registers,
    });
    this.#current = new Gauge({
      name: 'ovms_current_requests',
      help: 'Number of requests being currently processed by the model server.',
      labelNames: ['name', 'version'],
      registers,
    });
    const source = (): Iterable<VersionGauges> => this.#source();
    const fromSource = (pick: (g: VersionGauges) => number) =>
      function collect(this: Gauge<'name' | 'version'>): void {
        this.reset();
        for (const g of source()) this.set({ name: g.name, version: String(g.version) }, pick(g));
      };
    new Gauge({
      name: 'ovms_streams',
      help: 'Number of OpenVINO execution streams.',
      labelNames: ['name', 'version'],
      registers,
      collect: fromSource((g) => g.streams),
    });
    new Gauge({
      name: 'ovms_infer_req_queue_size',
      help: 'Inference request queue size (nireq).',
      labelNames: ['name', 'version'],
      registers,
      collect: fromSource((g) => g.nireq),
    });
    new Gauge({
      name: 'ovms_infer_req_active',
      help: 'Number of currently consumed inference requests from the processing queue.',
      labelNames: ['name', 'version'],
      registers,
      collect: fromSource((g) => g.active),
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Where the per-version gauges come from (the repository), read at every scrape. */
  setGaugeSource(source: GaugeSource): void {
    this.#source = source;
  }

  // ---- ServerMetrics port (called by the transports) ----

  onRequest(protocol: Protocol, model: string, version: number, ok: boolean, timing: RequestTiming): void {
    if (model === '') return; // server-level calls (health, server metadata) are not per-model metrics
    const labels = {
      api: 'KServe',
      interface: INTERFACE[protocol],
      method: 'ModelInfer',
      name: model,
      version: String(version),
    };
    (ok ? this.#requestsSuccess : this.#requestsFail).inc(labels);
    if (ok)
      this.#requestTime.observe(
        { interface: labels.interface, name: model, version: labels.version },
        timing.totalUs,
      );
  }

  /** In-flight requests are counted by the served model with its exact version (see inFlight()). */
  current(_model: string, _delta: 1 | -1): void {}

  render(): Promise<string> {
    return this.registry.metrics();
  }

  // ---- called by the served model ----

  inFlight(name: string, version: number, delta: 1 | -1): void {
    this.#current.inc({ name, version: String(version) }, delta);
  }

  inference(name: string, version: number, waitUs: number, inferUs: number): void {
    const labels = { name, version: String(version) };
    this.#waitTime.observe(labels, waitUs);
    this.#inferenceTime.observe(labels, inferUs);
  }

  /** Drops the series of an unloaded version so dashboards stop showing it. */
  forgetVersion(name: string, version: number): void {
    const labels = { name, version: String(version) };
    this.#current.remove(labels);
  }
}
