// InferenceService documents for the operator benchmark (pure): many small services, one instance
// of one vCPU each, and the spec change measured under load.

export const GROUP = 'ovfleet.io';
export const VERSION = 'v1alpha1';
export const PLURAL = 'inferenceservices';

export function serviceName(i: number): string {
  return `bench-${String(i).padStart(4, '0')}`;
}

/** One InferenceService: latency objective on a 1-vCPU budget → one instance; `nireq` pins a field. */
export function inferenceService(namespace: string, i: number, nireq?: number): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'InferenceService',
    metadata: { name: serviceName(i), namespace },
    spec: {
      model: { name: `model-${i}`, source: { hostPath: { path: '/models/bench' } } },
      objective: 'latency',
      budget: { vcpus: 1 },
      ...(nireq === undefined ? {} : { overrides: { nireq } }),
    },
  };
}

/** A kubectl-applicable List of services [from, to). */
export function serviceList(namespace: string, from: number, to: number, nireq?: number): string {
  const items = [];
  for (let i = from; i < to; i++) items.push(inferenceService(namespace, i, nireq));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** Sums the samples of a Prometheus metric in text exposition format (every label set). */
export function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] === name) total += Number(match[3]);
  }
  return total;
}
