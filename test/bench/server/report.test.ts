import { describe, expect, it } from 'vitest';
import { modelRatios, type ServerRow, serverTargets } from '../../../bench/server/report.ts';

const row = (
  system: ServerRow['system'],
  concurrency: number,
  throughput: number,
  p50Ms: number,
): ServerRow => ({
  model: 'cls',
  system,
  concurrency,
  throughput,
  p50Ms,
  p90Ms: null,
  p99Ms: null,
  serverCores: null,
});

describe('modelRatios', () => {
  const rows = [
    row('ovfleet-grpc', 1, 400, 2.2),
    row('ovfleet-grpc', 8, 900, 9),
    row('ovfleet-grpc', 16, 850, 19),
    row('in-process', 1, 600, 1.6),
    row('in-process', 8, 1000, 8),
    row('kserve-grpc', 8, 300, 26),
    row('benchmark_app', 2, 1250, 1.5),
  ];

  it('compares saturation throughput (the best level), not one level', () => {
    const r = modelRatios('cls', rows);
    expect(r.saturation['ovfleet-grpc']).toBe(900);
    expect(r.grpcVsInProcess).toBeCloseTo(0.9);
    expect(r.inProcessVsBenchmarkApp).toBeCloseTo(0.8);
  });

  it('gives the p50 gap at concurrency 1 and the peer ratio at concurrency 8', () => {
    const r = modelRatios('cls', rows);
    expect(r.p50DeltaAt1Ms).toBeCloseTo(0.6);
    expect(r.vsPeerAt8).toBeCloseTo(3);
  });

  it('leaves ratios of systems that did not run empty and the targets not measured', () => {
    const r = modelRatios('cls', rows);
    expect(r.restJsonVsInProcess).toBeNull();
    const targets = serverTargets([modelRatios('det', rows)], {});
    expect(targets.every((t) => t.status === 'not-measured')).toBe(true);
  });

  it('checks detection against the stricter 0.97 saturation goal', () => {
    const det = rows.map((r) => ({ ...r, model: 'det' as const }));
    const [saturationTarget] = serverTargets([modelRatios('det', det)], {});
    expect(saturationTarget).toMatchObject({ goal: '>= 0.97', status: 'missed' });
  });
});
