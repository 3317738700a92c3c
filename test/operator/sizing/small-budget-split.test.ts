// The rule bench/sizing changed: a throughput budget under one 4-vCPU instance that spans two or more
// whole physical cores runs one instance per core. Expected numbers are written out by hand.
import { describe, expect, it } from 'vitest';
import { plan } from '../../../operator/sizing/index.ts';
import { input } from './inputs.ts';

const shape = (p: ReturnType<typeof plan>) => ({
  replicas: p.replicas,
  vcpus: p.vcpusPerInstance,
  threads: p.ovProperties.INFERENCE_NUM_THREADS,
  streams: p.ovProperties.NUM_STREAMS,
  nireq: p.nireq,
  fits: p.fits,
});

describe('small throughput budgets split per physical core', () => {
  it('2 vCPUs without SMT → 2 pinned instances of 1 vCPU (the machine bench-sizing measured)', () => {
    const p = plan(input({ budget: { vcpus: 2 }, node: { vcpus: 2, threadsPerCore: 1 } }));
    expect(shape(p)).toEqual({ replicas: 2, vcpus: 1, threads: '1', streams: '1', nireq: 1, fits: true });
    const reason = p.rationale.find((r) => r.field === 'vcpusPerInstance')?.reason ?? '';
    expect(reason).toContain('one instance per core');
    expect(reason).toContain('bench/sizing');
  });

  it('3 vCPUs without SMT → 3 × 1', () => {
    const p = plan(input({ budget: { vcpus: 3 }, node: { vcpus: 8, threadsPerCore: 1 } }));
    expect([p.replicas, p.vcpusPerInstance]).toEqual([3, 1]);
  });

  it('keeps one instance where the budget is a single core or not whole cores', () => {
    // 2 vCPUs with SMT are one physical core: nothing to split.
    expect(shape(plan(input({ budget: { vcpus: 2 } })))).toMatchObject({ replicas: 1, vcpus: 2 });
    // 3 vCPUs with SMT: one and a half cores, so one instance takes them all (as before).
    expect(shape(plan(input({ budget: { vcpus: 3 } })))).toMatchObject({ replicas: 1, vcpus: 3 });
  });

  it('leaves latency plans and budgets of a whole 4-vCPU instance alone', () => {
    const latency = plan(
      input({ objective: 'latency', budget: { vcpus: 2 }, node: { vcpus: 2, threadsPerCore: 1 } }),
    );
    expect([latency.replicas, latency.vcpusPerInstance]).toEqual([1, 2]);
    const four = plan(input({ budget: { vcpus: 4 }, node: { vcpus: 4, threadsPerCore: 1 } }));
    expect([four.replicas, four.vcpusPerInstance]).toEqual([1, 4]);
  });
});
