// How the budget is cut into instances: replicas × (vCPUs, accelerators) per instance.
//
// Rules (each also spelled out in the rationale):
// - latency, CPU/AUTO: ONE instance as large as the budget allows on one node. A single request is
//   fastest when one instance can spread it over every core; 80 vCPUs on an 80-vCPU node → 1 × 80.
// - throughput, CPU/AUTO: many small instances of 4 vCPUs (two hyper-threaded cores). Small pools
//   keep each instance's threads on few cores and scale out without Python/GIL-style bottlenecks;
//   80 → 20 × 4. A budget under 8 vCPUs has room for one 4-vCPU instance at most, so a single
//   instance takes the whole budget (capped at a node) rather than leaving up to 3 of 7 vCPUs idle —
//   except a budget under 4 vCPUs that spans two or more whole physical cores, which gets one
//   instance per core (measured by bench/sizing, see SPLIT_SMALL_BUDGET_REASON).
//   Above that, the budget's remainder modulo 4 is reported as unused: Deployment replicas are
//   identical, and 1-3 vCPUs are too few for another instance of the same size.
// - HDDL/GPU/NPU: one instance per accelerator group (all of a node's VPUs for HDDL, one card for
//   GPU/NPU); the vCPU budget is shared evenly between those instances for protocol and pre/post work.
// - overrides.replicas alone divides the budget evenly between that many instances;
//   overrides.vcpusPerInstance alone sets the size and the budget decides the count.

import { type DeviceProfile, NIREQ_PER_VPU } from './devices.ts';
import { describeVcpus, type Explainer } from './explainer.ts';
import type { SizingInput } from './types.ts';

export const THROUGHPUT_INSTANCE_VCPUS = 4;
/** Below this budget a second 4-vCPU throughput instance cannot exist. */
export const SMALL_THROUGHPUT_BUDGET = 2 * THROUGHPUT_INSTANCE_VCPUS;

export interface Shape {
  replicas: number;
  vcpusPerInstance: number;
  vpusPerInstance: number;
}

const floorDiv = (a: number, b: number): number => (b > 0 ? Math.floor(a / b) : 0);
const clamp = (value: number, low: number, high: number): number => Math.max(low, Math.min(high, value));

export function shapeInstances(input: SizingInput, profile: DeviceProfile, why: Explainer): Shape {
  const { budget, node, overrides, objective } = input;
  const vpusPerInstance = profile.accelerator ? profile.acceleratorsPerInstance(budget.vpus, node.vpus) : 0;

  const replicas = deriveReplicas(input, profile, vpusPerInstance, why);
  const vcpusPerInstance = deriveVcpus(input, profile, replicas, why);

  if (profile.accelerator) {
    const resource = profile.resource ?? 'accelerator';
    why.add(
      'vpusPerInstance',
      vpusPerInstance,
      vpusPerInstance === 0
        ? `${input.device} needs accelerators but the budget grants ${budget.vpus} and a node has ${node.vpus}`
        : input.device === 'HDDL'
          ? `hddldaemon spreads one process's requests over every VPU it is given, so one instance takes ` +
            `min(budget ${budget.vpus}, node ${node.vpus}) = ${vpusPerInstance} VPUs (${NIREQ_PER_VPU} infer requests each)`
          : `one ${resource} per instance: a ${input.device} runs a model's requests itself, and an instance ` +
            `spanning several cards would need the MULTI device, which ovfleet does not plan`,
    );
  } else {
    why.add(
      'vpusPerInstance',
      0,
      `${objective} on ${input.device}: inference runs on vCPUs, no accelerators`,
    );
  }

  const unused = budget.vcpus - replicas * vcpusPerInstance;
  if (unused > 0) {
    why.add(
      'budget.unusedVcpus',
      unused,
      `${replicas} × ${vcpusPerInstance} = ${replicas * vcpusPerInstance} of the ${budget.vcpus}-vCPU budget ` +
        `is used; the remaining ${unused} cannot form another identical instance` +
        (objective === 'latency' && overrides.replicas === undefined && !profile.accelerator
          ? ' (latency plans one instance; set overrides.replicas to add identical copies for capacity)'
          : ''),
    );
  }
  return { replicas, vcpusPerInstance, vpusPerInstance };
}

function deriveReplicas(input: SizingInput, profile: DeviceProfile, vpus: number, why: Explainer): number {
  const { budget, overrides, objective, node } = input;
  if (overrides.replicas !== undefined) {
    why.add('replicas', overrides.replicas, 'set by overrides.replicas');
    return overrides.replicas;
  }
  if (profile.accelerator) {
    const byAccelerators = vpus > 0 ? floorDiv(budget.vpus, vpus) : 1;
    const replicas = Math.max(1, Math.min(byAccelerators, budget.vcpus));
    why.add(
      'replicas',
      replicas,
      vpus > 0
        ? `${budget.vpus} accelerators / ${vpus} per instance = ${byAccelerators} instance(s)` +
            (replicas < byAccelerators ? `, cut to ${replicas} so each keeps at least 1 vCPU` : '')
        : `no accelerators to divide; one instance is planned so the violation below names the gap`,
    );
    return replicas;
  }
  if (objective === 'latency') {
    why.add('replicas', 1, 'latency: one instance, as large as the budget allows on one node');
    return 1;
  }
  const size =
    overrides.vcpusPerInstance ?? defaultThroughputSize(budget.vcpus, node.vcpus, node.threadsPerCore);
  const replicas = Math.max(1, floorDiv(budget.vcpus, size));
  why.add(
    'replicas',
    replicas,
    `throughput: ${budget.vcpus} / ${size} vCPUs per instance = ${replicas} instance(s)` +
      (floorDiv(budget.vcpus, size) === 0 ? ' (one instance, although it alone exceeds the budget)' : ''),
  );
  return replicas;
}

/**
 * A throughput budget smaller than one 4-vCPU instance that covers ≥ 2 whole physical cores is split
 * into one instance per core. Measured (make bench-sizing, PP-OCR cls on 2 vCPUs without SMT):
 * 2 × 1 vCPU was the best of 14 candidates in four runs, 1.13-1.39× one 2-vCPU instance when measured
 * again side by side. Each ovfleet-server instance has one event loop for its protocol work; two
 * pinned instances run two, each beside its own inference stream on its own core.
 */
function splitsPerCore(budgetVcpus: number, threadsPerCore: number): boolean {
  const tpc = Math.max(1, threadsPerCore);
  return budgetVcpus < THROUGHPUT_INSTANCE_VCPUS && budgetVcpus % tpc === 0 && budgetVcpus / tpc >= 2;
}

export const SPLIT_SMALL_BUDGET_REASON =
  'one event loop per instance does the protocol work, so two pinned single-core instances beat one ' +
  'instance of both cores (bench/sizing on 2 vCPUs: 1.13-1.39× the throughput)';

function defaultThroughputSize(budgetVcpus: number, nodeVcpus: number, threadsPerCore: number): number {
  const wanted = splitsPerCore(budgetVcpus, threadsPerCore)
    ? Math.max(1, threadsPerCore)
    : budgetVcpus < SMALL_THROUGHPUT_BUDGET
      ? budgetVcpus
      : THROUGHPUT_INSTANCE_VCPUS;
  return Math.max(1, Math.min(wanted, nodeVcpus));
}

function deriveVcpus(input: SizingInput, profile: DeviceProfile, replicas: number, why: Explainer): number {
  const { budget, node, overrides, objective } = input;
  const tpc = node.threadsPerCore;
  if (overrides.vcpusPerInstance !== undefined) {
    why.add('vcpusPerInstance', overrides.vcpusPerInstance, 'set by overrides.vcpusPerInstance');
    return overrides.vcpusPerInstance;
  }
  if (overrides.replicas !== undefined || profile.accelerator) {
    const share = clamp(floorDiv(budget.vcpus, Math.max(1, replicas)), 1, node.vcpus);
    why.add(
      'vcpusPerInstance',
      share,
      `${budget.vcpus}-vCPU budget shared by ${replicas} instance(s), capped at a node's ${node.vcpus}: ` +
        `${describeVcpus(share, tpc)} each` +
        (profile.accelerator ? ' for the server, pre/post-processing and layers the device cannot run' : ''),
    );
    return share;
  }
  if (objective === 'latency') {
    const size = Math.max(1, Math.min(budget.vcpus, node.vcpus));
    why.add(
      'vcpusPerInstance',
      size,
      `latency: min(budget ${budget.vcpus}, node ${node.vcpus}) = ${describeVcpus(size, tpc)}; ` +
        'one request is fastest when a single instance can spread it over every core it may use',
    );
    return size;
  }
  const size = defaultThroughputSize(budget.vcpus, node.vcpus, tpc);
  const reason = splitsPerCore(budget.vcpus, tpc)
    ? `throughput: a ${budget.vcpus}-vCPU budget spans ${budget.vcpus / Math.max(1, tpc)} physical cores, ` +
      `so one instance per core (${describeVcpus(size, tpc)} each): ${SPLIT_SMALL_BUDGET_REASON}`
    : size === THROUGHPUT_INSTANCE_VCPUS
      ? `throughput: ${describeVcpus(size, tpc)} per instance keeps each instance's thread pool on a few ` +
        'neighbouring cores; many small instances scale out instead of fighting over one big pool'
      : budget.vcpus < SMALL_THROUGHPUT_BUDGET && size === budget.vcpus
        ? `throughput: a ${budget.vcpus}-vCPU budget has room for at most one ${THROUGHPUT_INSTANCE_VCPUS}-vCPU ` +
          `instance, so a single instance takes all ${describeVcpus(size, tpc)} instead of leaving vCPUs idle`
        : `throughput: ${describeVcpus(size, tpc)}, the most a ${node.vcpus}-vCPU node can hold`;
  why.add('vcpusPerInstance', size, reason);
  return size;
}
