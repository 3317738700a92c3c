import { describe, expect, it } from 'vitest';
import {
  candidateKey,
  cpuList,
  enumerateCandidates,
  type PlanJson,
  planToCandidate,
  ruleDifferences,
} from '../../../bench/sizing/candidates.ts';

describe('enumerateCandidates', () => {
  it('covers 2 vCPUs as one 2-vCPU instance or two pinned 1-vCPU instances', () => {
    const all = enumerateCandidates(2);
    expect(new Set(all.map((c) => `${c.instances}x${c.vcpusPerInstance}`))).toEqual(new Set(['1x2', '2x1']));
    expect(all).toHaveLength(14);
    expect(new Set(all.map(candidateKey)).size).toBe(all.length);
  });

  it('never plans more streams than threads or threads than an instance has vCPUs', () => {
    for (const c of enumerateCandidates(4)) {
      expect(c.streams).toBeLessThanOrEqual(c.threads);
      expect(c.threads).toBeLessThanOrEqual(c.vcpusPerInstance);
      expect(c.instances * c.vcpusPerInstance).toBe(4);
    }
  });

  it('pins instance i to its own block of CPUs', () => {
    const c = { instances: 2, vcpusPerInstance: 2, threads: 2, streams: 1, nireq: 1, workers: 1 };
    expect(cpuList(c, 0)).toBe('0,1');
    expect(cpuList(c, 1)).toBe('2,3');
  });
});

describe('plan against the best candidate', () => {
  const plan: PlanJson = {
    replicas: 1,
    vcpusPerInstance: 2,
    ovProperties: { PERFORMANCE_HINT: 'THROUGHPUT', NUM_STREAMS: '2', INFERENCE_NUM_THREADS: '2' },
    nireq: 2,
    grpcWorkers: 1,
    rationale: [{ field: 'nireq', value: '2', reason: 'one infer request per stream' }],
  };

  it('reads the plan as a candidate', () => {
    expect(planToCandidate(plan)).toEqual({
      instances: 1,
      vcpusPerInstance: 2,
      threads: 2,
      streams: 2,
      nireq: 2,
      workers: 1,
    });
  });

  it("names each rule that chose differently, with the plan's reason", () => {
    const best = { ...planToCandidate(plan), nireq: 4 };
    expect(ruleDifferences(plan, best)).toEqual([
      { field: 'nireq', planValue: 2, bestValue: 4, planReason: 'one infer request per stream' },
    ]);
    expect(ruleDifferences(plan, planToCandidate(plan))).toEqual([]);
  });
});
