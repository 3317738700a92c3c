import { describe, expect, it } from 'vitest';
import { percentile, ratio, summarize } from '../../../bench/common/stats.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100…1, unsorted on purpose

  it('picks the value at ceil(p% × n) of the sorted values', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([5, 1, 3], 50)).toBe(3);
  });

  it('is NaN for no values and refuses percentiles outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarizes latencies with mean and p50/p90/p99', () => {
    const s = summarize([1, 2, 3, 4, 10]);
    expect(s).toMatchObject({ count: 5, meanMs: 4, p50Ms: 3, p90Ms: 10, p99Ms: 10 });
  });
});

describe('ratio', () => {
  it('divides, and gives null where no ratio can be formed', () => {
    expect(ratio(9, 10)).toBeCloseTo(0.9);
    expect(ratio(undefined, 10)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(5, Number.NaN)).toBeNull();
  });
});
