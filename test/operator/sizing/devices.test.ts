// Each device's mounts, resources, properties and parallelism, with numbers written out by hand.

import { describe, expect, it } from 'vitest';
import { type Plan, plan } from '../../../operator/sizing/index.ts';
import { input } from './inputs.ts';

const rules = (p: Plan): string[] => p.violations.map((v) => v.rule);

describe('AUTO', () => {
  it('is sized exactly like CPU and asks for no device', () => {
    const auto = plan(input({ device: 'AUTO' }));
    expect(auto.targetDevice).toBe('AUTO');
    expect([auto.replicas, auto.vcpusPerInstance, auto.nireq]).toEqual([20, 4, 2]);
    expect(auto.ovProperties).toEqual({
      PERFORMANCE_HINT: 'THROUGHPUT',
      NUM_STREAMS: '2',
      INFERENCE_NUM_THREADS: '4',
      ENABLE_CPU_PINNING: 'YES',
    });
    expect(auto.mounts).toEqual([]);
    expect(auto.extendedResources).toEqual({});
    expect(auto.fits).toBe(true);
  });
});

describe('GPU', () => {
  it('one card per instance, /dev/dri, i915 resource, 2 streams × 2 requests for throughput', () => {
    const p = plan(input({ device: 'GPU', budget: { vcpus: 8, vpus: 2 }, node: { vpus: 1, count: 2 } }));
    expect(p.targetDevice).toBe('GPU');
    expect([p.replicas, p.vcpusPerInstance, p.vpusPerInstance]).toEqual([2, 4, 1]);
    expect(p.mounts).toEqual([
      { name: 'dri', hostPath: '/dev/dri', mountPath: '/dev/dri', kind: 'Directory' },
    ]);
    expect(p.extendedResources).toEqual({ 'gpu.intel.com/i915': 1 });
    expect(p.ovProperties).toEqual({ PERFORMANCE_HINT: 'THROUGHPUT', NUM_STREAMS: '2' });
    expect(p.nireq).toBe(4);
    expect(p.packing).toEqual({ instancesPerNode: 1, nodesNeeded: 2 });
    expect(p.totals).toEqual({ vcpus: 8, vpus: 2 });
    expect(p.fits).toBe(true);
  });

  it('latency: one stream, two requests', () => {
    const p = plan(
      input({ objective: 'latency', device: 'GPU', budget: { vcpus: 8, vpus: 1 }, node: { vpus: 1 } }),
    );
    expect(p.ovProperties).toEqual({ PERFORMANCE_HINT: 'LATENCY', NUM_STREAMS: '1' });
    expect(p.nireq).toBe(2);
    expect(p.fits).toBe(true);
  });

  it('two cards on one single-card node do not fit', () => {
    const p = plan(input({ device: 'GPU', budget: { vcpus: 8, vpus: 2 }, node: { vpus: 1, count: 1 } }));
    expect(rules(p)).toEqual(['nodes-available']);
  });
});

describe('NPU', () => {
  it('/dev/accel, npu.intel.com/accel, only the performance hint', () => {
    const p = plan(input({ device: 'NPU', budget: { vcpus: 4, vpus: 1 }, node: { vpus: 1 } }));
    expect(p.targetDevice).toBe('NPU');
    expect(p.mounts).toEqual([
      { name: 'accel', hostPath: '/dev/accel', mountPath: '/dev/accel', kind: 'Directory' },
    ]);
    expect(p.extendedResources).toEqual({ 'npu.intel.com/accel': 1 });
    expect(p.ovProperties).toEqual({ PERFORMANCE_HINT: 'THROUGHPUT' });
    expect([p.replicas, p.vcpusPerInstance, p.nireq]).toEqual([1, 4, 4]);
    expect(p.fits).toBe(true);
    const latency = plan(
      input({ objective: 'latency', device: 'NPU', budget: { vcpus: 4, vpus: 1 }, node: { vpus: 1 } }),
    );
    expect(latency.nireq).toBe(1);
  });
});

describe('HDDL', () => {
  it('without VPUs is reported, not planned silently', () => {
    const p = plan(input({ device: 'HDDL', budget: { vcpus: 8, vpus: 0 }, node: { vpus: 0 } }));
    expect(rules(p)).toContain('accelerators-present');
    expect(p.extendedResources).toEqual({});
    expect(p.fits).toBe(false);
  });

  it('VPUs in the budget but none on the nodes is reported', () => {
    const p = plan(input({ device: 'HDDL', budget: { vcpus: 8, vpus: 8 }, node: { vpus: 0 } }));
    expect(rules(p)).toContain('accelerators-present');
  });

  it('16 VPUs over two 8-VPU nodes → two instances of 8 VPUs, 32 requests each', () => {
    const p = plan(
      input({
        device: 'HDDL',
        runtime: 'ovms',
        budget: { vcpus: 16, vpus: 16 },
        node: { vpus: 8, count: 2 },
      }),
    );
    expect([p.replicas, p.vcpusPerInstance, p.vpusPerInstance, p.nireq, p.grpcWorkers]).toEqual([
      2, 8, 8, 32, 64,
    ]);
    expect(p.packing).toEqual({ instancesPerNode: 1, nodesNeeded: 2 });
    expect(p.extendedResources).toEqual({ 'ovfleet.io/vpu': 8 });
    expect(p.fits).toBe(true);
  });

  it('4-VPU nodes split an 8-VPU budget into two instances of 16 requests', () => {
    const p = plan(input({ device: 'HDDL', budget: { vcpus: 8, vpus: 8 }, node: { vpus: 4, count: 2 } }));
    expect([p.replicas, p.vcpusPerInstance, p.vpusPerInstance, p.nireq]).toEqual([2, 4, 4, 16]);
    expect(p.fits).toBe(true);
  });

  it('ovfleet runtime keeps few async workers even for 32 requests', () => {
    const p = plan(input({ device: 'HDDL', budget: { vcpus: 8, vpus: 8 }, node: { vpus: 8 } }));
    expect([p.nireq, p.grpcWorkers, p.restWorkers]).toEqual([32, 1, 1]);
    expect(p.fits).toBe(true);
  });

  it('sets no OpenVINO properties and refuses a streams override', () => {
    const p = plan(
      input({ device: 'HDDL', budget: { vcpus: 8, vpus: 8 }, node: { vpus: 8 }, overrides: { streams: 2 } }),
    );
    expect(p.ovProperties).toEqual({});
    expect(rules(p)).toEqual(['streams-unsupported']);
  });
});
