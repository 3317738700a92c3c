// Small budgets, remainders, node shapes, overrides and threading runtimes on CPU. Every expected
// number is written out by hand from the rules in operator/sizing (see the comments there).

import { describe, expect, it } from 'vitest';
import { type Plan, plan } from '../../../operator/sizing/index.ts';
import { GUIDE_KMP, input } from './inputs.ts';

const rules = (p: Plan): string[] => p.violations.map((v) => v.rule);
const reasonOf = (p: Plan, field: string): string => p.rationale.find((r) => r.field === field)?.reason ?? '';
const rationaleValue = (p: Plan, field: string): string | undefined =>
  p.rationale.find((r) => r.field === field)?.value;

interface Row {
  name: string;
  plan: Plan;
  replicas: number;
  vcpus: number;
  threads: string;
  streams: string;
  nireq: number;
  unused?: string;
}

describe('CPU budgets that are small or do not divide', () => {
  const rows: Row[] = [
    {
      name: 'throughput, 1 vCPU',
      plan: plan(input({ budget: { vcpus: 1 } })),
      replicas: 1,
      vcpus: 1,
      threads: '1',
      streams: '1',
      nireq: 1,
    },
    {
      name: 'latency, 1 vCPU',
      plan: plan(input({ objective: 'latency', budget: { vcpus: 1 } })),
      replicas: 1,
      vcpus: 1,
      threads: '1',
      streams: '1',
      nireq: 1,
    },
    {
      name: 'throughput, 3 vCPU',
      plan: plan(input({ budget: { vcpus: 3 } })),
      replicas: 1,
      vcpus: 3,
      threads: '3',
      streams: '2',
      nireq: 2,
    },
    {
      name: 'latency, 3 vCPU',
      plan: plan(input({ objective: 'latency', budget: { vcpus: 3 } })),
      replicas: 1,
      vcpus: 3,
      threads: '2',
      streams: '1',
      nireq: 1,
    },
    {
      name: 'throughput, 6 vCPU',
      plan: plan(input({ budget: { vcpus: 6 } })),
      replicas: 1,
      vcpus: 6,
      threads: '6',
      streams: '3',
      nireq: 3,
    },
    {
      name: 'throughput, 9 vCPU',
      plan: plan(input({ budget: { vcpus: 9 } })),
      replicas: 2,
      vcpus: 4,
      threads: '4',
      streams: '2',
      nireq: 2,
      unused: '1',
    },
    {
      name: 'throughput, 81 vCPU',
      plan: plan(input({ budget: { vcpus: 81 } })),
      replicas: 20,
      vcpus: 4,
      threads: '4',
      streams: '2',
      nireq: 2,
      unused: '1',
    },
    {
      name: 'latency, 81 vCPU',
      plan: plan(input({ objective: 'latency', budget: { vcpus: 81 } })),
      replicas: 1,
      vcpus: 80,
      threads: '40',
      streams: '1',
      nireq: 1,
      unused: '1',
    },
    {
      name: 'latency, no hyper-threading',
      plan: plan(input({ objective: 'latency', node: { threadsPerCore: 1 } })),
      replicas: 1,
      vcpus: 80,
      threads: '80',
      streams: '1',
      nireq: 1,
    },
    {
      name: 'throughput, no hyper-threading',
      plan: plan(input({ node: { threadsPerCore: 1 } })),
      replicas: 20,
      vcpus: 4,
      threads: '4',
      streams: '4',
      nireq: 4,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const p = row.plan;
      expect(p.replicas).toBe(row.replicas);
      expect(p.vcpusPerInstance).toBe(row.vcpus);
      expect(p.env.OMP_NUM_THREADS).toBe(row.threads);
      expect(p.ovProperties.INFERENCE_NUM_THREADS).toBe(row.threads);
      expect(p.ovProperties.NUM_STREAMS).toBe(row.streams);
      expect(p.nireq).toBe(row.nireq);
      expect(rationaleValue(p, 'budget.unusedVcpus')).toBe(row.unused);
      expect(p.fits).toBe(true);
    });
  }

  it('explains the throughput split in words a user can check', () => {
    const p = plan(input());
    expect(reasonOf(p, 'vcpusPerInstance')).toContain('4 vCPUs (2 physical cores with hyper-threading)');
    expect(reasonOf(p, 'replicas')).toContain('80 / 4');
    expect(reasonOf(p, 'env.OMP_NUM_THREADS')).toMatch(/one thread per vCPU/);
    const latency = plan(input({ objective: 'latency' }));
    expect(reasonOf(latency, 'env.OMP_NUM_THREADS')).toMatch(/one thread per physical core/);
  });
});

describe('packing across nodes', () => {
  it('spreads 40 throughput instances over two 80-vCPU nodes', () => {
    const p = plan(input({ budget: { vcpus: 160 }, node: { count: 2 } }));
    expect(p.replicas).toBe(40);
    expect(p.packing).toEqual({ instancesPerNode: 20, nodesNeeded: 2 });
    expect(p.fits).toBe(true);
  });

  it('reports a budget that needs more nodes than exist', () => {
    const p = plan(input({ budget: { vcpus: 160 }, node: { count: 1 } }));
    expect(p.packing).toEqual({ instancesPerNode: 20, nodesNeeded: 2 });
    expect(rules(p)).toEqual(['nodes-available']);
    expect(p.fits).toBe(false);
  });

  it('shrinks throughput instances to nodes smaller than 4 vCPUs', () => {
    const p = plan(input({ budget: { vcpus: 10 }, node: { vcpus: 2, count: 5 } }));
    expect(p.vcpusPerInstance).toBe(2);
    expect(p.replicas).toBe(5);
    expect(p.packing).toEqual({ instancesPerNode: 1, nodesNeeded: 5 });
    expect(p.fits).toBe(true);
  });
});

describe('overrides win and are still checked', () => {
  it('vcpusPerInstance: 8 → 10 instances, threads and streams follow', () => {
    const p = plan(input({ overrides: { vcpusPerInstance: 8 } }));
    expect(p.replicas).toBe(10);
    expect(p.vcpusPerInstance).toBe(8);
    expect(p.env.OMP_NUM_THREADS).toBe('8');
    expect(p.ovProperties.NUM_STREAMS).toBe('4');
    expect(p.nireq).toBe(4);
    expect(p.fits).toBe(true);
  });

  it('replicas alone divides the budget: throughput 10 → 8 vCPUs each, latency 2 → 40 each', () => {
    const t = plan(input({ overrides: { replicas: 10 } }));
    expect([t.replicas, t.vcpusPerInstance]).toEqual([10, 8]);
    const l = plan(input({ objective: 'latency', overrides: { replicas: 2 }, node: { count: 2 } }));
    expect([l.replicas, l.vcpusPerInstance, l.env.OMP_NUM_THREADS]).toEqual([2, 40, '20']);
    expect(l.packing).toEqual({ instancesPerNode: 2, nodesNeeded: 1 });
    expect(l.fits).toBe(true);
  });

  it('threads: 2 lowers OMP_NUM_THREADS, INFERENCE_NUM_THREADS and caps the streams', () => {
    const p = plan(input({ overrides: { threads: 2 } }));
    expect(p.env.OMP_NUM_THREADS).toBe('2');
    expect(p.ovProperties.INFERENCE_NUM_THREADS).toBe('2');
    expect(p.ovProperties.NUM_STREAMS).toBe('2');
    expect(p.fits).toBe(true);
  });

  it('streams above threads is applied and reported', () => {
    const p = plan(input({ overrides: { streams: 8 } }));
    expect(p.ovProperties.NUM_STREAMS).toBe('8');
    expect(p.nireq).toBe(8);
    expect(rules(p)).toEqual(['streams-within-threads']);
  });

  it('threads above the vCPUs is reported as oversubscription', () => {
    const p = plan(input({ overrides: { threads: 8 } }));
    expect(p.env.OMP_NUM_THREADS).toBe('8');
    expect(rules(p)).toContain('threads-within-vcpus');
  });

  it('an instance larger than a node and the budget breaks both rules', () => {
    const p = plan(input({ overrides: { vcpusPerInstance: 100 } }));
    expect(p.replicas).toBe(1);
    expect(rules(p)).toEqual(expect.arrayContaining(['budget-vcpus', 'instance-fits-node-vcpus']));
    expect(p.packing).toEqual({ instancesPerNode: 0, nodesNeeded: 0 });
  });

  it('replicas: 0 and too many replicas are reported', () => {
    expect(rules(plan(input({ overrides: { replicas: 0 } })))).toContain('replicas-positive');
    const many = plan(input({ overrides: { replicas: 100, vcpusPerInstance: 4 } }));
    expect(many.totals.vcpus).toBe(400);
    expect(rules(many)).toContain('budget-vcpus');
  });

  it('a fractional budget is refused as a count', () => {
    expect(rules(plan(input({ budget: { vcpus: 2.5 } })))).toContain('inputs-are-counts');
  });
});

describe('workers by runtime', () => {
  it('ovms: grpc_workers = 2 × nireq, rest_workers = nireq, and nireq overrides carry through', () => {
    const p = plan(input({ runtime: 'ovms', overrides: { nireq: 8 } }));
    expect([p.nireq, p.grpcWorkers, p.restWorkers]).toEqual([8, 16, 8]);
    expect(p.fits).toBe(true);
  });

  it('ovms: fewer workers than nireq is a violation', () => {
    const p = plan(input({ runtime: 'ovms', overrides: { grpcWorkers: 1 } }));
    expect(p.nireq).toBe(2);
    expect(rules(p)).toEqual(['workers-cover-nireq']);
  });

  it('ovfleet: 1 worker per ~8 vCPUs; async workers may be fewer than nireq', () => {
    expect(plan(input({ objective: 'latency' })).grpcWorkers).toBe(10);
    expect(plan(input({ objective: 'latency', budget: { vcpus: 12 } })).grpcWorkers).toBe(2);
    expect(plan(input()).grpcWorkers).toBe(1);
    const p = plan(input({ overrides: { nireq: 32 } }));
    expect([p.nireq, p.grpcWorkers, p.restWorkers]).toEqual([32, 1, 1]);
    expect(p.fits).toBe(true);
  });
});

describe('threading runtime and CPU manager', () => {
  it('omp and tbb plans carry the same numbers; the explanation says which build reads them', () => {
    const omp = plan(input({ threading: 'omp' }));
    const tbb = plan(input({ threading: 'tbb' }));
    expect(omp.env).toEqual({ OMP_NUM_THREADS: '4', ...GUIDE_KMP });
    expect(tbb.env).toEqual(omp.env);
    expect(tbb.ovProperties).toEqual(omp.ovProperties);
    expect(reasonOf(tbb, 'env.KMP_AFFINITY')).toMatch(/TBB builds.*ignore/);
    expect(reasonOf(tbb, 'env.OMP_NUM_THREADS')).toMatch(/TBB builds/);
    expect(reasonOf(omp, 'env.KMP_AFFINITY')).toMatch(/OpenMP build/);
    expect(reasonOf(omp, 'env.KMP_AFFINITY')).not.toMatch(/TBB/);
  });

  it('pins threads only when the kubelet gives exclusive cores', () => {
    expect(plan(input()).ovProperties.ENABLE_CPU_PINNING).toBe('YES');
    expect(plan(input({ node: { cpuManagerPolicy: 'static' } })).ovProperties.ENABLE_CPU_PINNING).toBe('YES');
    expect(plan(input({ node: { cpuManagerPolicy: 'none' } })).ovProperties.ENABLE_CPU_PINNING).toBe('NO');
  });
});
