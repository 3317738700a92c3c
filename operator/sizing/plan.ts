// plan(): the pure sizing model. (objective, budget, device, runtime, threading, node facts,
// overrides) → a Plan with a rationale line for every number. No I/O, no Kubernetes, no clock; the
// input is never mutated and every returned object is fresh, so callers may freeze or edit it.

import { DEVICE_PROFILES } from './devices.ts';
import { describeVcpus, Explainer } from './explainer.ts';
import { checkInvariants } from './invariants.ts';
import { shapeInstances } from './shape.ts';
import { tune } from './tuning.ts';
import type { DeviceMount, Plan, SizingInput } from './types.ts';
import { planWorkers } from './workers.ts';

export function plan(input: SizingInput): Plan {
  const profile = DEVICE_PROFILES[input.device];
  const why = new Explainer();
  why.add('targetDevice', profile.targetDevice, profile.summary);

  const shape = shapeInstances(input, profile, why);
  const tuning = tune(input, profile, shape.vcpusPerInstance, why);
  const workers = planWorkers(input, profile, shape, tuning.streams, why);

  const mounts: DeviceMount[] = profile.mounts.map(({ mount }) => ({ ...mount }));
  for (const { mount, reason } of profile.mounts) {
    why.add(`mounts.${mount.name}`, `${mount.hostPath} → ${mount.mountPath} (${mount.kind})`, reason);
  }
  if (mounts.length === 0) why.add('mounts', '(none)', `${input.device} needs no host device files`);

  const extendedResources: Record<string, number> = {};
  if (profile.resource !== undefined && shape.vpusPerInstance > 0) {
    extendedResources[profile.resource] = shape.vpusPerInstance;
    why.add(
      `extendedResources.${profile.resource}`,
      shape.vpusPerInstance,
      `the scheduler places an instance only on a node whose device plugin still has ${shape.vpusPerInstance} free`,
    );
  } else {
    why.add('extendedResources', '(none)', 'no accelerators are requested, only CPU and memory');
  }

  const packing = pack(input, shape, why);
  const totals = {
    vcpus: shape.replicas * shape.vcpusPerInstance,
    vpus: shape.replicas * shape.vpusPerInstance,
  };
  why.add(
    'totals.vcpus',
    totals.vcpus,
    `${shape.replicas} × ${shape.vcpusPerInstance} vCPUs (request = limit) of the ${input.budget.vcpus}-vCPU budget`,
  );
  why.add(
    'totals.vpus',
    totals.vpus,
    `${shape.replicas} × ${shape.vpusPerInstance} accelerators of the ${input.budget.vpus}-accelerator budget`,
  );

  const violations = checkInvariants(input, profile, {
    ...shape,
    ...workers,
    threads: tuning.threads,
    streams: tuning.streams,
    ...packing,
  });
  const fits = violations.length === 0;
  why.add(
    'fits',
    fits,
    fits
      ? 'every invariant holds: budget, node size, threads, streams, workers and node count'
      : `${violations.length} invariant(s) broken: ${violations.map((v) => v.rule).join(', ')}`,
  );

  return {
    objective: input.objective,
    device: input.device,
    runtime: input.runtime,
    replicas: shape.replicas,
    vcpusPerInstance: shape.vcpusPerInstance,
    vpusPerInstance: shape.vpusPerInstance,
    env: tuning.env,
    ovProperties: tuning.ovProperties,
    targetDevice: profile.targetDevice,
    nireq: workers.nireq,
    grpcWorkers: workers.grpcWorkers,
    restWorkers: workers.restWorkers,
    mounts,
    extendedResources,
    packing,
    totals,
    fits,
    violations,
    rationale: why.lines(),
  };
}

/**
 * instancesPerNode = floor(node vCPUs / instance vCPUs), and for accelerators also
 * floor(node VPUs / instance VPUs); nodesNeeded = ceil(replicas / instancesPerNode). When not even one
 * instance fits a node, both are 0 and the instance-fits violation says why.
 */
function pack(
  input: SizingInput,
  shape: { replicas: number; vcpusPerInstance: number; vpusPerInstance: number },
  why: Explainer,
): { instancesPerNode: number; nodesNeeded: number } {
  const { node } = input;
  const byCpu = shape.vcpusPerInstance > 0 ? Math.floor(node.vcpus / shape.vcpusPerInstance) : 0;
  const byVpu = shape.vpusPerInstance > 0 ? Math.floor(node.vpus / shape.vpusPerInstance) : undefined;
  const instancesPerNode = Math.max(0, byVpu === undefined ? byCpu : Math.min(byCpu, byVpu));
  const nodesNeeded = instancesPerNode > 0 ? Math.ceil(Math.max(0, shape.replicas) / instancesPerNode) : 0;

  const cpuPart = `${node.vcpus} / ${shape.vcpusPerInstance} vCPUs = ${byCpu}`;
  const vpuPart =
    byVpu === undefined ? '' : `, ${node.vpus} / ${shape.vpusPerInstance} accelerators = ${byVpu}`;
  const leftover = byCpu > 0 ? node.vcpus - byCpu * shape.vcpusPerInstance : 0;
  why.add(
    'packing.instancesPerNode',
    instancesPerNode,
    `a node of ${describeVcpus(node.vcpus, node.threadsPerCore)} holds ${cpuPart}${vpuPart}` +
      (leftover > 0 ? `; ${leftover} vCPU(s) per full node stay free for other pods` : ''),
  );
  why.add(
    'packing.nodesNeeded',
    nodesNeeded,
    instancesPerNode > 0
      ? `ceil(${shape.replicas} instances / ${instancesPerNode} per node) = ${nodesNeeded} of ${node.count} node(s)`
      : 'no node can hold even one instance',
  );
  return { instancesPerNode, nodesNeeded };
}
