import { describe, expect, it } from 'vitest';
import { inferenceService, serviceList, sumMetric } from '../../../bench/operator/services.ts';
import { parseInferenceService } from '../../../operator/api/resource.ts';

describe('benchmark InferenceServices', () => {
  it('are valid InferenceServices, with the spec change pinning nireq', () => {
    const before = parseInferenceService(inferenceService('bench-1', 7));
    const after = parseInferenceService(inferenceService('bench-1', 7, 2));
    expect(before.metadata.name).toBe('bench-0007');
    expect(before.spec.overrides?.nireq).toBeUndefined();
    expect(after.spec.overrides?.nireq).toBe(2);
  });

  it('come as one List per chunk', () => {
    const list = JSON.parse(serviceList('ns', 100, 150)) as { items: unknown[] };
    expect(list.items).toHaveLength(50);
  });
});

describe('sumMetric', () => {
  it('sums every label set of one metric and ignores comments and other metrics', () => {
    const text = [
      '# HELP ovfleet_api_writes_total writes',
      '# TYPE ovfleet_api_writes_total counter',
      'ovfleet_api_writes_total{verb="apply",resource="deployments"} 12',
      'ovfleet_api_writes_total{verb="patch",resource="status"} 3',
      'ovfleet_api_writes_total_other 100',
      'ovfleet_reconcile_total{result="ok"} 5',
    ].join('\n');
    expect(sumMetric(text, 'ovfleet_api_writes_total')).toBe(15);
    expect(sumMetric(text, 'ovfleet_reconcile_total')).toBe(5);
    expect(sumMetric(text, 'missing')).toBe(0);
  });
});
