// Pure statistics for benchmark results: latency percentiles and side-by-side ratios.

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

/**
 * The p-th percentile (0 < p ≤ 100) of values by the nearest-rank method: the smallest value such
 * that at least p% of the values are ≤ it. Values need not be sorted. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sum = latenciesMs.reduce((a, b) => a + b, 0);
  return {
    count: latenciesMs.length,
    meanMs: latenciesMs.length === 0 ? Number.NaN : sum / latenciesMs.length,
    p50Ms: percentile(latenciesMs, 50),
    p90Ms: percentile(latenciesMs, 90),
    p99Ms: percentile(latenciesMs, 99),
  };
}

/** a / b, or null when either is missing or b is not positive (a ratio that cannot be formed). */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/** Rounds for display and JSON (keeps results readable; raw precision is noise on these machines). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
