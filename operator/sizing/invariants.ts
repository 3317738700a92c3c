// The rules a plan must keep. They are checked after overrides are applied and reported as
// violations — never thrown, never silently repaired — so `ovfleet plan` can show every problem.

import type { DeviceProfile } from './devices.ts';
import type { RuleName, SizingInput, Violation } from './types.ts';

export interface Checked {
  replicas: number;
  vcpusPerInstance: number;
  vpusPerInstance: number;
  threads: number;
  streams: number | undefined;
  nireq: number;
  grpcWorkers: number;
  restWorkers: number;
  nodesNeeded: number;
  instancesPerNode: number;
}

const isCount = (value: number, min: number): boolean => Number.isInteger(value) && value >= min;

export function checkInvariants(input: SizingInput, profile: DeviceProfile, p: Checked): Violation[] {
  const violations: Violation[] = [];
  const fail = (rule: RuleName, message: string): void => {
    violations.push({ rule, message });
  };
  const { budget, node, overrides, device, runtime } = input;

  const counts: [string, number | undefined, number][] = [
    ['budget.vcpus', budget.vcpus, 1],
    ['budget.vpus', budget.vpus, 0],
    ['node.vcpus', node.vcpus, 1],
    ['node.threadsPerCore', node.threadsPerCore, 1],
    ['node.count', node.count, 0],
    ['node.vpus', node.vpus, 0],
    ['overrides.vcpusPerInstance', overrides.vcpusPerInstance, 1],
    ['overrides.replicas', overrides.replicas, 0],
    ['overrides.nireq', overrides.nireq, 1],
    ['overrides.streams', overrides.streams, 1],
    ['overrides.threads', overrides.threads, 1],
    ['overrides.grpcWorkers', overrides.grpcWorkers, 1],
    ['overrides.restWorkers', overrides.restWorkers, 1],
  ];
  for (const [name, value, min] of counts) {
    if (value !== undefined && !isCount(value, min)) {
      fail('inputs-are-counts', `${name} must be an integer ≥ ${min}, got ${value}`);
    }
  }

  if (!(p.replicas >= 1)) fail('replicas-positive', `replicas must be at least 1, got ${p.replicas}`);

  const totalVcpus = p.replicas * p.vcpusPerInstance;
  if (totalVcpus > budget.vcpus) {
    fail(
      'budget-vcpus',
      `${p.replicas} × ${p.vcpusPerInstance} vCPUs = ${totalVcpus}, over the ${budget.vcpus}-vCPU budget`,
    );
  }
  const totalVpus = p.replicas * p.vpusPerInstance;
  if (totalVpus > budget.vpus) {
    fail(
      'budget-vpus',
      `${p.replicas} × ${p.vpusPerInstance} VPUs = ${totalVpus}, over the ${budget.vpus}-VPU budget`,
    );
  }
  if (p.vcpusPerInstance > node.vcpus) {
    fail(
      'instance-fits-node-vcpus',
      `an instance needs ${p.vcpusPerInstance} vCPUs but a node has ${node.vcpus}; it can never be scheduled`,
    );
  }
  if (p.vpusPerInstance > node.vpus) {
    fail(
      'instance-fits-node-vpus',
      `an instance needs ${p.vpusPerInstance} accelerators but a node has ${node.vpus}; it can never be scheduled`,
    );
  }
  if (p.threads > p.vcpusPerInstance) {
    fail(
      'threads-within-vcpus',
      `${p.threads} threads on ${p.vcpusPerInstance} vCPUs oversubscribes the pod's CPU quota`,
    );
  }
  if (profile.cpuStreams && p.streams !== undefined && p.streams > p.threads) {
    fail(
      'streams-within-threads',
      `${p.streams} CPU streams need at least as many threads, got ${p.threads}`,
    );
  }
  if (overrides.streams !== undefined && !profile.properties.includes('NUM_STREAMS')) {
    fail(
      'streams-unsupported',
      `overrides.streams was given but ${device} has no streams; it is not applied`,
    );
  }
  if (runtime === 'ovms') {
    for (const [name, workers] of [
      ['grpcWorkers', p.grpcWorkers],
      ['restWorkers', p.restWorkers],
    ] as const) {
      if (workers < p.nireq) {
        fail(
          'workers-cover-nireq',
          `OVMS workers are synchronous: ${name} ${workers} < nireq ${p.nireq} caps parallel inferences at ${workers}`,
        );
      }
    }
  }
  if (p.instancesPerNode >= 1 && p.nodesNeeded > node.count) {
    fail(
      'nodes-available',
      `${p.replicas} instances at ${p.instancesPerNode} per node need ${p.nodesNeeded} nodes, only ${node.count} exist`,
    );
  }
  if (profile.accelerator && (budget.vpus < 1 || node.vpus < 1)) {
    fail(
      'accelerators-present',
      `${device} runs on accelerators but the budget grants ${budget.vpus} and a node has ${node.vpus}`,
    );
  }
  return violations;
}
