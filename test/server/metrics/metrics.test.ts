import { describe, expect, it } from 'vitest';
import { OVMS_BUCKETS_US, OvmsMetrics } from '../../../server/metrics.ts';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('OVMS metrics', () => {
  it('counts successes and failures per interface with the OVMS labels', async () => {
    const metrics = new OvmsMetrics();
    const timing = { totalUs: 1500, inferUs: 1000, waitUs: 100 };
    metrics.onRequest('grpc', 'resnet', 1, true, timing);
    metrics.onRequest('grpc', 'resnet', 1, true, timing);
    metrics.onRequest('rest', 'resnet', 1, true, timing);
    metrics.onRequest('rest', 'resnet', 1, false, timing);
    const text = await metrics.render();
    expect(
      sample(
        text,
        'ovms_requests_success{api="KServe",interface="gRPC",method="ModelInfer",name="resnet",version="1"}',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'ovms_requests_success{api="KServe",interface="REST",method="ModelInfer",name="resnet",version="1"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'ovms_requests_fail{api="KServe",interface="REST",method="ModelInfer",name="resnet",version="1"}',
      ),
    ).toBe(1);
    expect(sample(text, 'ovms_request_time_us_count{interface="gRPC",name="resnet",version="1"}')).toBe(2);
    expect(sample(text, 'ovms_request_time_us_sum{interface="gRPC",name="resnet",version="1"}')).toBe(3000);
    expect(text).toContain('# TYPE ovms_requests_success counter');
    expect(text).toContain('# TYPE ovms_request_time_us histogram');
  });

  it('ignores server-level calls that name no model', async () => {
    const metrics = new OvmsMetrics();
    metrics.onRequest('rest', '', 0, true, { totalUs: 5, inferUs: 0, waitUs: 0 });
    expect(await metrics.render()).not.toMatch(/ovms_requests_success\{/);
  });

  it('records inference and wait times and in-flight requests per version', async () => {
    const metrics = new OvmsMetrics();
    metrics.inference('m', 2, 40, 900);
    metrics.inFlight('m', 2, 1);
    metrics.inFlight('m', 2, 1);
    metrics.inFlight('m', 2, -1);
    const text = await metrics.render();
    expect(sample(text, 'ovms_inference_time_us_sum{name="m",version="2"}')).toBe(900);
    expect(sample(text, 'ovms_wait_for_infer_req_time_us_sum{name="m",version="2"}')).toBe(40);
    // 900 µs falls in the OVMS bucket ending at 1101 and not in the one ending at 612.
    expect(sample(text, 'ovms_inference_time_us_bucket{le="612",name="m",version="2"}')).toBe(0);
    expect(sample(text, 'ovms_inference_time_us_bucket{le="1101",name="m",version="2"}')).toBe(1);
    expect(sample(text, 'ovms_current_requests{name="m",version="2"}')).toBe(1);
  });

  it('reads streams, nireq and active infer requests from the repository at scrape time', async () => {
    const metrics = new OvmsMetrics();
    let active = 1;
    metrics.setGaugeSource(() => [{ name: 'm', version: 3, streams: 4, nireq: 8, active }]);
    let text = await metrics.render();
    expect(sample(text, 'ovms_streams{name="m",version="3"}')).toBe(4);
    expect(sample(text, 'ovms_infer_req_queue_size{name="m",version="3"}')).toBe(8);
    expect(sample(text, 'ovms_infer_req_active{name="m",version="3"}')).toBe(1);
    active = 5;
    metrics.setGaugeSource(() => [{ name: 'm', version: 4, streams: 2, nireq: 2, active }]);
    text = await metrics.render();
    expect(sample(text, 'ovms_infer_req_active{name="m",version="4"}')).toBe(5);
    // an unloaded version disappears from the gauges
    expect(sample(text, 'ovms_streams{name="m",version="3"}')).toBeUndefined();
  });

  it('uses the OVMS microsecond buckets', () => {
    expect(OVMS_BUCKETS_US.slice(0, 6)).toEqual([10, 18, 32, 58, 104, 188]);
  });
});
