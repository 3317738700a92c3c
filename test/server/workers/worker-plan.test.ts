import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpusFromCpuMax, instanceVcpus, planWorkers } from '../../../server/workers/worker-plan.ts';

const ports = { port: 9000, rest_port: 8000 };

describe('worker plan', () => {
  it('one worker each runs no worker processes (the primary serves, no hop)', () => {
    expect(planWorkers({ ...ports, grpc_workers: 1, rest_workers: 1 }, 8)).toEqual({
      workers: [],
      grpcWorkers: 1,
      restWorkers: 1,
      capped: false,
    });
  });

  it('forks max(grpc, rest) workers; each serves the transports its index asks for', () => {
    const plan = planWorkers({ ...ports, grpc_workers: 3, rest_workers: 1 }, 8);
    expect(plan.workers).toEqual([
      { grpc: true, rest: true },
      { grpc: true, rest: false },
      { grpc: true, rest: false },
    ]);
    expect(plan.capped).toBe(false);
  });

  it('caps the counts at the vCPUs of the instance (the seed HDDL plan asks 64 gRPC workers)', () => {
    const plan = planWorkers({ ...ports, grpc_workers: 64, rest_workers: 2 }, 4);
    expect(plan.workers).toHaveLength(4);
    expect(plan.grpcWorkers).toBe(4);
    expect(plan.restWorkers).toBe(2);
    expect(plan.capped).toBe(true);
  });

  it('a disabled transport gets no workers and is not reported as capped', () => {
    const plan = planWorkers({ port: 0, rest_port: 8000, grpc_workers: 1, rest_workers: 2 }, 2);
    expect(plan.workers).toEqual([
      { grpc: false, rest: true },
      { grpc: false, rest: true },
    ]);
    expect(plan.capped).toBe(false);
  });
});

describe('instance vCPUs', () => {
  it('reads a CFS quota from cgroup v2 cpu.max', () => {
    expect(cpusFromCpuMax('400000 100000\n')).toBe(4);
    expect(cpusFromCpuMax('150000 100000')).toBe(1);
    expect(cpusFromCpuMax('50000 100000')).toBe(1);
    expect(cpusFromCpuMax('max 100000')).toBeUndefined();
    expect(cpusFromCpuMax('')).toBeUndefined();
  });

  it('falls back to the CPU affinity without a cgroup file', () => {
    expect(instanceVcpus('/nonexistent/cpu.max')).toBe(availableParallelism());
  });
});
