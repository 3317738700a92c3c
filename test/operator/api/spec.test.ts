import { describe, expect, it } from 'vitest';
import { parseInferenceService } from '../../../operator/api/resource.ts';
import { OperatorError } from '../../../operator/errors.ts';

function isvc(spec: Record<string, unknown>, name = 'ocr-cls'): Record<string, unknown> {
  return { apiVersion: 'ovfleet.io/v1alpha1', kind: 'InferenceService', metadata: { name }, spec };
}

const minimal = {
  model: { name: 'ocr-cls', source: { hostPath: { path: '/srv/models/ocr-cls' } } },
  budget: { vcpus: 80 },
};

function problems(spec: Record<string, unknown>, name?: string): string[] {
  try {
    parseInferenceService(isvc(spec, name));
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(OperatorError);
    const e = error as OperatorError;
    expect(e.code).toBe('OVF_ERR_SPEC_INVALID');
    expect(e.exitCode).toBe(2);
    return e.message.split('\n');
  }
  throw new Error('expected the spec to be rejected');
}

describe('InferenceService spec defaults', () => {
  it('fills every documented default into a minimal spec', () => {
    const { spec } = parseInferenceService(isvc(minimal));
    expect(spec.objective).toBe('throughput');
    expect(spec.device).toBe('CPU');
    expect(spec.runtime).toBe('ovfleet');
    expect(spec.threading).toBe('tbb');
    expect(spec.budget).toEqual({ vcpus: 80, vpus: 0 });
    expect(spec.node).toEqual({ vcpus: 80, threadsPerCore: 2 });
    expect(spec.model.versionPolicy).toEqual({ latest: { numVersions: 1 } });
    expect(spec.server).toEqual({ grpcPort: 9000, restPort: 8000, ovProperties: {}, logLevel: 'INFO' });
    expect(spec.overrides).toBeUndefined();
  });

  it('returns a frozen object and leaves the input untouched', () => {
    const input = isvc(structuredClone(minimal));
    const before = structuredClone(input);
    const parsed = parseInferenceService(input);
    expect(input).toEqual(before);
    expect(Object.isFrozen(parsed.spec.budget)).toBe(true);
  });

  it('keeps user values over defaults', () => {
    const { spec } = parseInferenceService(
      isvc({
        ...minimal,
        objective: 'latency',
        device: 'HDDL',
        budget: { vcpus: 8, vpus: 8 },
        runtime: 'ovms',
      }),
    );
    expect([spec.objective, spec.device, spec.runtime, spec.budget.vpus]).toEqual([
      'latency',
      'HDDL',
      'ovms',
      8,
    ]);
  });
});

describe('InferenceService spec rejections name the field and the rule', () => {
  it('negative vCPUs', () => {
    expect(problems({ ...minimal, budget: { vcpus: -4 } })).toEqual([
      'spec.budget.vcpus: must be >= 1 (got -4)',
    ]);
  });

  it('fractional vCPUs', () => {
    expect(problems({ ...minimal, budget: { vcpus: 2.5 } })).toEqual([
      'spec.budget.vcpus: must be an integer (got 2.5)',
    ]);
  });

  it('unknown objective', () => {
    expect(problems({ ...minimal, objective: 'fast' })).toEqual([
      'spec.objective: must be one of latency, throughput (got "fast")',
    ]);
  });

  it('per-instance vCPUs above the budget', () => {
    expect(problems({ ...minimal, overrides: { vcpusPerInstance: 96 } })).toEqual([
      'spec.overrides.vcpusPerInstance: must be <= spec.budget.vcpus (got 96 > 80)',
    ]);
  });

  it('HDDL without VPUs', () => {
    expect(problems({ ...minimal, device: 'HDDL' })).toEqual([
      'spec.budget.vpus: must be >= 1 when spec.device is HDDL (got 0)',
    ]);
  });

  it('both model sources, and neither', () => {
    const both = { pvc: { claimName: 'm' }, hostPath: { path: '/m' } };
    expect(problems({ ...minimal, model: { name: 'm', source: both } })).toEqual([
      'spec.model.source: must set exactly one of pvc or hostPath (got both)',
    ]);
    expect(problems({ ...minimal, model: { name: 'm', source: {} } })).toEqual([
      'spec.model.source: must set exactly one of pvc or hostPath (got neither)',
    ]);
  });

  it('streams above threads', () => {
    expect(problems({ ...minimal, overrides: { streams: 8, threads: 4 } })).toEqual([
      'spec.overrides.streams: must be <= spec.overrides.threads (each stream needs at least one thread) (got 8 > 4)',
    ]);
  });

  it('two version policies at once', () => {
    const model = { ...minimal.model, versionPolicy: { all: {}, latest: { numVersions: 2 } } };
    expect(problems({ ...minimal, model })).toEqual([
      'spec.model.versionPolicy: must set exactly one of latest, all or specific (got 2)',
    ]);
  });

  it('the same port for gRPC and REST', () => {
    expect(problems({ ...minimal, server: { grpcPort: 9000, restPort: 9000 } })).toEqual([
      'spec.server.restPort: must differ from spec.server.grpcPort (got 9000 for both)',
    ]);
  });

  it('a missing budget and an unknown field', () => {
    expect(problems({ model: minimal.model, budgett: { vcpus: 8 } }).sort()).toEqual([
      'spec.budget: is required',
      'spec: unknown field(s) "budgett"',
    ]);
  });

  it('a name that cannot name a Service', () => {
    expect(problems(minimal, 'OCR.cls')[0]).toMatch(/^metadata\.name: must be a DNS-1035 label/);
  });

  it('reports every problem, one line each', () => {
    expect(problems({ ...minimal, objective: 'fast', budget: { vcpus: 0 }, device: 'TPU' })).toHaveLength(3);
  });
});
