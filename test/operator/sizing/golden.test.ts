// The tuning guide's own numbers (shared/reference/ovms-performance-tuning.md), written literally.

import { describe, expect, it } from 'vitest';
import { plan, VPU_RESOURCE } from '../../../operator/sizing/index.ts';
import { GUIDE_KMP, input } from './inputs.ts';

describe('golden vectors from the OVMS tuning guide', () => {
  for (const threading of ['omp', 'tbb'] as const) {
    it(`latency, 80 vCPU on an 80-vCPU hyper-threaded node → 1 × 80 vCPU, OMP_NUM_THREADS=40 (${threading})`, () => {
      const p = plan(input({ objective: 'latency', threading }));
      expect(p.replicas).toBe(1);
      expect(p.vcpusPerInstance).toBe(80);
      expect(p.env).toEqual({ OMP_NUM_THREADS: '40', ...GUIDE_KMP });
      expect(p.ovProperties).toEqual({
        PERFORMANCE_HINT: 'LATENCY',
        NUM_STREAMS: '1',
        INFERENCE_NUM_THREADS: '40',
        ENABLE_CPU_PINNING: 'YES',
      });
      expect(p.totals).toEqual({ vcpus: 80, vpus: 0 });
      expect(p.packing).toEqual({ instancesPerNode: 1, nodesNeeded: 1 });
      expect(p.fits).toBe(true);
    });

    it(`throughput, 80 vCPU on the same node → 20 × 4 vCPU, OMP_NUM_THREADS=4 (${threading})`, () => {
      const p = plan(input({ objective: 'throughput', threading }));
      expect(p.replicas).toBe(20);
      expect(p.vcpusPerInstance).toBe(4);
      expect(p.env).toEqual({ OMP_NUM_THREADS: '4', ...GUIDE_KMP });
      expect(p.ovProperties).toEqual({
        PERFORMANCE_HINT: 'THROUGHPUT',
        NUM_STREAMS: '2',
        INFERENCE_NUM_THREADS: '4',
        ENABLE_CPU_PINNING: 'YES',
      });
      expect(p.nireq).toBe(2);
      expect(p.totals).toEqual({ vcpus: 80, vpus: 0 });
      expect(p.packing).toEqual({ instancesPerNode: 20, nodesNeeded: 1 });
      expect(p.fits).toBe(true);
    });
  }

  it('HDDL with 8 VPUs on OVMS → nireq 32, grpc_workers 64, /dev/ion and /var/tmp, 8 VPUs requested', () => {
    const p = plan(
      input({ device: 'HDDL', runtime: 'ovms', budget: { vcpus: 8, vpus: 8 }, node: { vpus: 8 } }),
    );
    expect(p.targetDevice).toBe('HDDL');
    expect(p.nireq).toBe(32);
    expect(p.grpcWorkers).toBe(64);
    expect(p.restWorkers).toBe(32);
    expect(p.replicas).toBe(1);
    expect(p.vpusPerInstance).toBe(8);
    expect(p.mounts).toEqual([
      { name: 'hddl-ion', hostPath: '/dev/ion', mountPath: '/dev/ion', kind: 'CharDevice' },
      { name: 'hddl-tmp', hostPath: '/var/tmp', mountPath: '/var/tmp', kind: 'Directory' },
    ]);
    expect(p.extendedResources).toEqual({ [VPU_RESOURCE]: 8 });
    expect(VPU_RESOURCE).toBe('ovfleet.io/vpu');
    expect(p.totals).toEqual({ vcpus: 8, vpus: 8 });
    expect(p.fits).toBe(true);
  });
});
