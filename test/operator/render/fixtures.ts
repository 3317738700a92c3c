// Hand-written plans and InferenceServices for render tests: render is tested against fixed plans,
// independent of the sizing model's arithmetic.
import { type InferenceService, parseInferenceService } from '../../../operator/api/resource.ts';
import type { Plan } from '../../../operator/sizing/types.ts';

export function cpuPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    objective: 'throughput',
    device: 'CPU',
    runtime: 'ovfleet',
    replicas: 20,
    vcpusPerInstance: 4,
    vpusPerInstance: 0,
    env: { OMP_NUM_THREADS: '4', KMP_BLOCKTIME: '1' },
    ovProperties: { PERFORMANCE_HINT: 'THROUGHPUT', NUM_STREAMS: '2', INFERENCE_NUM_THREADS: '4' },
    targetDevice: 'CPU',
    nireq: 2,
    grpcWorkers: 1,
    restWorkers: 1,
    mounts: [],
    extendedResources: {},
    packing: { instancesPerNode: 20, nodesNeeded: 1 },
    totals: { vcpus: 80, vpus: 0 },
    fits: true,
    violations: [],
    rationale: [{ field: 'replicas', value: '20', reason: 'test' }],
    ...overrides,
  };
}

export function hddlPlan(): Plan {
  return cpuPlan({
    device: 'HDDL',
    runtime: 'ovms',
    replicas: 1,
    vcpusPerInstance: 8,
    vpusPerInstance: 8,
    targetDevice: 'HDDL',
    ovProperties: {},
    nireq: 32,
    grpcWorkers: 64,
    restWorkers: 32,
    mounts: [
      { name: 'hddl-ion', hostPath: '/dev/ion', mountPath: '/dev/ion', kind: 'CharDevice' },
      { name: 'hddl-tmp', hostPath: '/var/tmp', mountPath: '/var/tmp', kind: 'Directory' },
    ],
    extendedResources: { 'ovfleet.io/vpu': 8 },
  });
}

export function service(
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): InferenceService {
  return parseInferenceService({
    apiVersion: 'ovfleet.io/v1alpha1',
    kind: 'InferenceService',
    metadata: {
      name: 'ocr-cls',
      namespace: 'vision',
      uid: '0b6e4b1c-7f0e-4a57-9d7e-2f1c3d4e5f60',
      ...metadata,
    },
    spec: {
      model: { name: 'ocr-cls', source: { pvc: { claimName: 'ocr-models', subPath: 'ocr-cls' } } },
      budget: { vcpus: 80 },
      ...spec,
    },
  });
}
