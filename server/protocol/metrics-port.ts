// What the transports report to the metrics registry. The repository helper implements it with
// prom-client under OpenVINO Model Server's metric names; transports only call these hooks.

export type Protocol = 'grpc' | 'rest';

/** Where a request spent its time, in microseconds. */
export interface RequestTiming {
  /** Whole request: from the transport receiving it to the answer being ready. */
  readonly totalUs: number;
  /** Inside OpenVINO (0 when the request never reached inference). */
  readonly inferUs: number;
  /** Waiting for a free infer request (0 when not measured). */
  readonly waitUs: number;
}

export interface ServerMetrics {
  /**
   * One finished request. `model`/`version` are what the client asked for ('' / 0 when the request
   * named none or was not an inference); `ok` is false for every error answer.
   */
  onRequest(protocol: Protocol, model: string, version: number, ok: boolean, timing: RequestTiming): void;
  /** +1 when an inference request starts being handled, -1 when it ends (ovms_current_requests). */
  current(model: string, delta: 1 | -1): void;
  /** Prometheus text exposition of every metric. */
  render(): Promise<string>;
  /** Content-Type of `render()`'s text (prom-client's registry.contentType). */
  readonly contentType: string;
}

/** A metrics sink that records nothing — for tests and servers started without metrics. */
export const noMetrics: ServerMetrics = {
  onRequest() {},
  current() {},
  render: async () => '',
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
};
