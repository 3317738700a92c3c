import { describe, expect, it } from 'vitest';
import { parseInferenceService } from '../../../operator/api/resource.ts';
import { toSizingInput } from '../../../operator/api/sizing-input.ts';

function spec(extra: Record<string, unknown>) {
  return parseInferenceService({
    apiVersion: 'ovfleet.io/v1alpha1',
    kind: 'InferenceService',
    metadata: { name: 'm' },
    spec: { model: { name: 'm', source: { hostPath: { path: '/m' } } }, budget: { vcpus: 80 }, ...extra },
  }).spec;
}

describe('toSizingInput', () => {
  it("maps the spec and assumes the spec's node facts, with enough nodes for the budget", () => {
    expect(toSizingInput(spec({ budget: { vcpus: 160 }, objective: 'latency' }))).toEqual({
      objective: 'latency',
      budget: { vcpus: 160, vpus: 0 },
      device: 'CPU',
      runtime: 'ovfleet',
      threading: 'tbb',
      node: { vcpus: 80, threadsPerCore: 2, count: 2, vpus: 0 },
      overrides: {},
    });
  });

  it('puts the whole VPU budget on one node unless told otherwise', () => {
    expect(toSizingInput(spec({ device: 'HDDL', budget: { vcpus: 8, vpus: 8 } })).node).toEqual({
      vcpus: 80,
      threadsPerCore: 2,
      count: 1,
      vpus: 8,
    });
    const split = spec({ device: 'HDDL', budget: { vcpus: 8, vpus: 16 }, node: { vcpus: 32, vpus: 8 } });
    expect(toSizingInput(split).node).toMatchObject({ count: 2, vpus: 8 });
  });

  it('passes only the overrides that are set', () => {
    const input = toSizingInput(spec({ overrides: { nireq: 8, vcpusPerInstance: 4 } }));
    expect(input.overrides).toEqual({ nireq: 8, vcpusPerInstance: 4 });
  });

  it('prefers the node facts the controller read from the cluster', () => {
    const facts = { vcpus: 16, threadsPerCore: 1, count: 3, vpus: 0 };
    expect(toSizingInput(spec({}), facts).node).toEqual(facts);
  });
});
