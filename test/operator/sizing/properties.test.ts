// Property-based checks over random budgets, nodes and overrides: a plan that says it fits really
// does, a broken rule is always reported, every number is explained, and plan() is pure.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Overrides, Plan, SizingInput } from '../../../operator/sizing/index.ts';
import { plan } from '../../../operator/sizing/index.ts';

const ACCELERATORS = new Set(['HDDL', 'GPU', 'NPU']);

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 });

const overridesArb: fc.Arbitrary<Overrides> = fc
  .record({
    vcpusPerInstance: optional(fc.integer({ min: 0, max: 128 })),
    replicas: optional(fc.integer({ min: 0, max: 64 })),
    nireq: optional(fc.integer({ min: 1, max: 64 })),
    streams: optional(fc.integer({ min: 1, max: 32 })),
    threads: optional(fc.integer({ min: 1, max: 128 })),
    grpcWorkers: optional(fc.integer({ min: 1, max: 128 })),
    restWorkers: optional(fc.integer({ min: 1, max: 128 })),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Overrides);

const inputArb = (overrides: fc.Arbitrary<Overrides>): fc.Arbitrary<SizingInput> =>
  fc.record({
    objective: fc.constantFrom('latency', 'throughput'),
    budget: fc.record({ vcpus: fc.integer({ min: 1, max: 512 }), vpus: fc.integer({ min: 0, max: 32 }) }),
    device: fc.constantFrom('CPU', 'HDDL', 'GPU', 'NPU', 'AUTO'),
    runtime: fc.constantFrom('ovfleet', 'ovms'),
    threading: fc.constantFrom('tbb', 'omp'),
    node: fc.record({
      vcpus: fc.integer({ min: 1, max: 256 }),
      threadsPerCore: fc.constantFrom(1, 2, 4),
      count: fc.integer({ min: 1, max: 16 }),
      vpus: fc.integer({ min: 0, max: 16 }),
    }),
    overrides,
  });

const rulesOf = (p: Plan): Set<string> => new Set(p.violations.map((v) => v.rule));

/** The invariants, restated from the plan's visible numbers rather than from the planner's code. */
function brokenRules(i: SizingInput, p: Plan): string[] {
  const broken: string[] = [];
  const threads = Number(p.env.OMP_NUM_THREADS);
  const cpuLike = i.device === 'CPU' || i.device === 'AUTO';
  if (p.replicas < 1) broken.push('replicas-positive');
  if (p.replicas * p.vcpusPerInstance > i.budget.vcpus) broken.push('budget-vcpus');
  if (p.replicas * p.vpusPerInstance > i.budget.vpus) broken.push('budget-vpus');
  if (p.vcpusPerInstance > i.node.vcpus) broken.push('instance-fits-node-vcpus');
  if (p.vpusPerInstance > i.node.vpus) broken.push('instance-fits-node-vpus');
  if (threads > p.vcpusPerInstance) broken.push('threads-within-vcpus');
  if (cpuLike && Number(p.ovProperties.NUM_STREAMS) > threads) broken.push('streams-within-threads');
  if (i.runtime === 'ovms' && (p.grpcWorkers < p.nireq || p.restWorkers < p.nireq))
    broken.push('workers-cover-nireq');
  if (p.packing.instancesPerNode >= 1 && p.packing.nodesNeeded > i.node.count) broken.push('nodes-available');
  if (ACCELERATORS.has(i.device) && (i.budget.vpus < 1 || i.node.vpus < 1))
    broken.push('accelerators-present');
  return broken;
}

describe('sizing properties', () => {
  it('a plan that fits keeps every invariant; every broken invariant is reported', () => {
    fc.assert(
      fc.property(inputArb(overridesArb), (i) => {
        const p = plan(i);
        const broken = brokenRules(i, p);
        const reported = rulesOf(p);
        for (const rule of broken) expect(reported).toContain(rule);
        expect(p.fits).toBe(p.violations.length === 0);
        if (p.fits) {
          expect(broken).toEqual([]);
          expect(p.packing.instancesPerNode).toBeGreaterThanOrEqual(1);
          expect(p.packing.nodesNeeded).toBeLessThanOrEqual(i.node.count);
          expect(Number.isInteger(p.vcpusPerInstance)).toBe(true);
          expect(p.totals).toEqual({
            vcpus: p.replicas * p.vcpusPerInstance,
            vpus: p.replicas * p.vpusPerInstance,
          });
          expect(p.packing.nodesNeeded * p.packing.instancesPerNode).toBeGreaterThanOrEqual(p.replicas);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('without overrides, a plan fits whenever there are enough nodes and the accelerators exist', () => {
    fc.assert(
      fc.property(inputArb(fc.constant({})), (raw) => {
        const roomy = { ...raw, node: { ...raw.node, count: 1024 } };
        const i = ACCELERATORS.has(raw.device)
          ? {
              ...roomy,
              budget: { ...raw.budget, vpus: Math.max(1, raw.budget.vpus) },
              node: { ...roomy.node, vpus: Math.max(1, raw.node.vpus) },
            }
          : roomy;
        const p = plan(i);
        expect(p.violations).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('throughput on CPU leaves at most 3 vCPUs of the budget idle when the nodes can take it all', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }), fc.constantFrom(1, 2), (vcpus, threadsPerCore) => {
        const p = plan({
          objective: 'throughput',
          budget: { vcpus, vpus: 0 },
          device: 'CPU',
          runtime: 'ovfleet',
          threading: 'tbb',
          node: { vcpus: 64, threadsPerCore, count: 64, vpus: 0 },
          overrides: {},
        });
        expect(p.totals.vcpus).toBeLessThanOrEqual(vcpus);
        expect(vcpus - p.totals.vcpus).toBeLessThanOrEqual(3);
        expect(p.vcpusPerInstance).toBeLessThanOrEqual(7);
      }),
    );
  });

  it('every number and setting in the plan has a rationale line with the same value', () => {
    fc.assert(
      fc.property(inputArb(overridesArb), (i) => {
        const p = plan(i);
        const lines = new Map(p.rationale.map((r) => [r.field, r]));
        const expectLine = (field: string, value: unknown): void => {
          expect(lines.get(field)?.value, field).toBe(String(value));
          expect(lines.get(field)?.reason.length ?? 0, field).toBeGreaterThan(10);
        };
        for (const field of [
          'replicas',
          'vcpusPerInstance',
          'vpusPerInstance',
          'targetDevice',
          'nireq',
          'grpcWorkers',
          'restWorkers',
          'fits',
        ] as const) {
          expectLine(field, p[field]);
        }
        for (const [k, v] of Object.entries(p.env)) expectLine(`env.${k}`, v);
        for (const [k, v] of Object.entries(p.ovProperties)) expectLine(`ovProperties.${k}`, v);
        for (const [k, v] of Object.entries(p.extendedResources)) expectLine(`extendedResources.${k}`, v);
        for (const m of p.mounts) expect(lines.has(`mounts.${m.name}`)).toBe(true);
        if (Object.keys(p.ovProperties).length === 0) expect(lines.has('ovProperties')).toBe(true);
        if (p.mounts.length === 0) expect(lines.has('mounts')).toBe(true);
        expectLine('packing.instancesPerNode', p.packing.instancesPerNode);
        expectLine('packing.nodesNeeded', p.packing.nodesNeeded);
        expectLine('totals.vcpus', p.totals.vcpus);
        expectLine('totals.vpus', p.totals.vpus);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and never mutates its input, even a deeply frozen one', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object') {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
      }
      return value;
    };
    fc.assert(
      fc.property(inputArb(overridesArb), (i) => {
        const before = structuredClone(i);
        const first = plan(deepFreeze(i));
        expect(i).toEqual(before);
        expect(plan(structuredClone(before))).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('returns fresh objects: editing one plan does not leak into the next', () => {
    const i: SizingInput = {
      objective: 'throughput',
      budget: { vcpus: 8, vpus: 8 },
      device: 'HDDL',
      runtime: 'ovms',
      threading: 'tbb',
      node: { vcpus: 80, threadsPerCore: 2, count: 1, vpus: 8 },
      overrides: {},
    };
    const first = plan(i);
    first.mounts[0]!.hostPath = '/elsewhere';
    first.env.OMP_NUM_THREADS = '999';
    first.rationale.length = 0;
    const second = plan(i);
    expect(second.mounts[0]?.hostPath).toBe('/dev/ion');
    expect(second.env.OMP_NUM_THREADS).toBe('8');
    expect(second.rationale.length).toBeGreaterThan(10);
  });
});
