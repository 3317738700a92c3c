// What each OpenVINO device needs from the pod, and how it runs work in parallel. One exhaustive
// table so adding a device is one entry, and a device cannot be half-supported by accident.

import type { Device, DeviceMount, Objective } from './types.ts';
import { GPU_RESOURCE, NPU_RESOURCE, VPU_RESOURCE } from './types.ts';

export interface DeviceProfile {
  /** Name given to OpenVINO as --target_device. */
  targetDevice: string;
  /** True when inference runs on something counted in budget.vpus (not on the instance's vCPUs). */
  accelerator: boolean;
  /** Extended resource each instance requests for its accelerators; undefined for CPU devices. */
  resource: string | undefined;
  /** Host paths the container needs to reach the device, each with the reason it is needed. */
  mounts: readonly DeviceAccess[];
  /** How many accelerators one instance takes, given what the budget and a node hold. */
  acceleratorsPerInstance: (budgetVpus: number, nodeVpus: number) => number;
  /** True when the device's NUM_STREAMS are CPU thread groups, bounded by the instance's threads. */
  cpuStreams: boolean;
  /** NUM_STREAMS the plan derives, or undefined when the device has no such property. */
  streams: (objective: Objective, physicalCores: number, threads: number) => number | undefined;
  /** Infer requests (nireq) the plan derives from the streams or accelerators. */
  nireq: (objective: Objective, streams: number | undefined, accelerators: number) => number;
  /** Which OpenVINO properties the device accepts, among those the plan sets. */
  properties: readonly OvPropertyName[];
  /** One sentence for the explain output on how the device was handled. */
  summary: string;
}

export interface DeviceAccess {
  mount: DeviceMount;
  reason: string;
}

export type OvPropertyName =
  | 'PERFORMANCE_HINT'
  | 'NUM_STREAMS'
  | 'INFERENCE_NUM_THREADS'
  | 'ENABLE_CPU_PINNING';

/** Infer requests per VPU; the tuning guide found 4 keeps every Myriad X busy. */
export const NIREQ_PER_VPU = 4;

const HDDL_MOUNTS: readonly DeviceAccess[] = [
  {
    mount: { name: 'hddl-ion', hostPath: '/dev/ion', mountPath: '/dev/ion', kind: 'CharDevice' },
    reason: 'the ION allocator hddldaemon uses to share inference buffers with the VPUs',
  },
  {
    mount: { name: 'hddl-tmp', hostPath: '/var/tmp', mountPath: '/var/tmp', kind: 'Directory' },
    reason: "hddldaemon's socket and lock files live in the host's /var/tmp",
  },
];
const GPU_MOUNTS: readonly DeviceAccess[] = [
  {
    mount: { name: 'dri', hostPath: '/dev/dri', mountPath: '/dev/dri', kind: 'Directory' },
    reason: "the GPU's DRI render nodes, through which OpenVINO's GPU plugin submits work",
  },
];
const NPU_MOUNTS: readonly DeviceAccess[] = [
  {
    mount: { name: 'accel', hostPath: '/dev/accel', mountPath: '/dev/accel', kind: 'Directory' },
    reason: "the NPU's accel device nodes the NPU plugin opens",
  },
];

const CPU_PROPERTIES: readonly OvPropertyName[] = Object.freeze([
  'PERFORMANCE_HINT',
  'NUM_STREAMS',
  'INFERENCE_NUM_THREADS',
  'ENABLE_CPU_PINNING',
]);

/** CPU streams: latency runs one request on every thread; throughput gives each physical core a stream. */
function cpuStreams(objective: Objective, physicalCores: number, threads: number): number {
  return objective === 'latency' ? 1 : Math.max(1, Math.min(physicalCores, threads));
}

/** On CPU, OpenVINO's OPTIMAL_NUMBER_OF_INFER_REQUESTS equals the stream count. */
function cpuNireq(_objective: Objective, streams: number | undefined): number {
  return Math.max(1, streams ?? 1);
}

export const DEVICE_PROFILES: Readonly<Record<Device, DeviceProfile>> = Object.freeze({
  CPU: {
    targetDevice: 'CPU',
    accelerator: false,
    resource: undefined,
    mounts: [],
    acceleratorsPerInstance: () => 0,
    cpuStreams: true,
    streams: cpuStreams,
    nireq: cpuNireq,
    properties: CPU_PROPERTIES,
    summary: 'inference runs on the instance’s own vCPUs; no device files or extended resources are needed',
  },
  AUTO: {
    targetDevice: 'AUTO',
    accelerator: false,
    resource: undefined,
    mounts: [],
    acceleratorsPerInstance: () => 0,
    cpuStreams: true,
    streams: cpuStreams,
    nireq: cpuNireq,
    properties: CPU_PROPERTIES,
    summary:
      'AUTO is sized like CPU: no accelerator is requested, so the CPU is the device AUTO will find; ' +
      'it forwards the CPU properties to the CPU plugin',
  },
  HDDL: {
    targetDevice: 'HDDL',
    accelerator: true,
    resource: VPU_RESOURCE,
    mounts: HDDL_MOUNTS,
    // hddldaemon schedules a process's requests across the VPUs it is given, so one instance takes
    // every VPU the budget allows on a node.
    acceleratorsPerInstance: (budgetVpus, nodeVpus) => Math.max(0, Math.min(budgetVpus, nodeVpus)),
    cpuStreams: false,
    streams: () => undefined,
    nireq: (_objective, _streams, vpus) => Math.max(1, NIREQ_PER_VPU * vpus),
    properties: [],
    summary:
      'HDDL reaches the VPUs through hddldaemon: /dev/ion for buffers and /var/tmp for its socket; ' +
      'VPUs have no streams, parallelism comes from infer requests',
  },
  GPU: {
    targetDevice: 'GPU',
    accelerator: true,
    resource: GPU_RESOURCE,
    mounts: GPU_MOUNTS,
    // One GPU per instance: the GPU plugin runs a model's streams on one card, and spreading an
    // instance over several cards would need MULTI, which ovfleet does not plan.
    acceleratorsPerInstance: (budgetVpus, nodeVpus) => (budgetVpus >= 1 && nodeVpus >= 1 ? 1 : 0),
    cpuStreams: false,
    streams: (objective) => (objective === 'latency' ? 1 : 2),
    nireq: (_objective, streams) => 2 * Math.max(1, streams ?? 1),
    properties: ['PERFORMANCE_HINT', 'NUM_STREAMS'],
    summary:
      'GPU needs the DRI render nodes (/dev/dri) and one gpu.intel.com/i915 per instance; ' +
      'CPU thread properties do not apply to the GPU plugin',
  },
  NPU: {
    targetDevice: 'NPU',
    accelerator: true,
    resource: NPU_RESOURCE,
    mounts: NPU_MOUNTS,
    acceleratorsPerInstance: (budgetVpus, nodeVpus) => (budgetVpus >= 1 && nodeVpus >= 1 ? 1 : 0),
    cpuStreams: false,
    streams: () => undefined,
    nireq: (objective) => (objective === 'latency' ? 1 : 4),
    properties: ['PERFORMANCE_HINT'],
    summary:
      'NPU needs the accel device nodes (/dev/accel) and one npu.intel.com/accel per instance; ' +
      'the NPU plugin takes the performance hint but no stream or thread counts',
  },
});

/**
 * The extended resource through which nodes advertise `device`'s accelerators (and instances request
 * them), or undefined for devices that run on vCPUs. Node facts for GPU/NPU must count this resource,
 * not VPU_RESOURCE.
 */
export function acceleratorResource(device: Device): string | undefined {
  return DEVICE_PROFILES[device].resource;
}
