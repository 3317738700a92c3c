// The vocabulary of the sizing model: what a user asks for (SizingInput) and what ovfleet will
// run (Plan). Pure data — no Kubernetes or server types leak in here, so operator/api, render and
// the CLI can all code against it.

/** What the fleet is tuned for: one big fast instance, or many small busy ones. */
export type Objective = 'latency' | 'throughput';

/** OpenVINO device the instances target. HDDL = a card of Myriad X VPUs behind hddldaemon. */
export type Device = 'CPU' | 'HDDL' | 'GPU' | 'NPU' | 'AUTO';

/** ovfleet-server (async workers) or the official OVMS image (synchronous workers). */
export type Runtime = 'ovfleet' | 'ovms';

/** OpenVINO >= 2019 R2 uses TBB; legacy builds use OpenMP. */
export type Threading = 'tbb' | 'omp';

/** Facts about the nodes the fleet will be scheduled on (assumed homogeneous). */
export interface NodeFacts {
  /** Allocatable logical CPUs per node. */
  vcpus: number;
  /** Hardware threads per physical core (2 with hyper-threading, 1 without). */
  threadsPerCore: number;
  /** How many such nodes exist. */
  count: number;
  /** VPUs/accelerators per node, 0 if none. */
  vpus: number;
  /**
   * The kubelet's CPU manager policy. 'static' (assumed when absent) gives a Guaranteed pod with
   * integer CPUs exclusive cores, so pinning OpenVINO's threads to them is safe; 'none' shares cores.
   */
  cpuManagerPolicy?: 'static' | 'none';
}

/** User-pinned values; each one wins over the derived value, but invariants are still checked. */
export interface Overrides {
  vcpusPerInstance?: number;
  replicas?: number;
  nireq?: number;
  streams?: number;
  threads?: number;
  grpcWorkers?: number;
  restWorkers?: number;
}

export interface SizingInput {
  objective: Objective;
  /** vcpus >= 1 integer; vpus >= 0. */
  budget: { vcpus: number; vpus: number };
  device: Device;
  runtime: Runtime;
  threading: Threading;
  node: NodeFacts;
  overrides: Overrides;
}

export interface DeviceMount {
  name: string;
  hostPath: string;
  mountPath: string;
  kind: 'CharDevice' | 'Directory';
}

/** One line per number or setting in the plan; `ovfleet plan --explain` prints these. */
export interface Rationale {
  field: string;
  value: string;
  reason: string;
}

/** An invariant that does not hold. Reported, never thrown. */
export interface Violation {
  rule: string;
  message: string;
}

export interface Plan {
  objective: Objective;
  device: Device;
  runtime: Runtime;
  replicas: number;
  /** Integer; the CPU request equals the limit. */
  vcpusPerInstance: number;
  vpusPerInstance: number;
  /** OMP_NUM_THREADS, KMP_SETTINGS, KMP_AFFINITY, KMP_BLOCKTIME. */
  env: Record<string, string>;
  /** PERFORMANCE_HINT, NUM_STREAMS, INFERENCE_NUM_THREADS, ENABLE_CPU_PINNING (OpenVINO property names). */
  ovProperties: Record<string, string>;
  /** OpenVINO device name passed as --target_device. */
  targetDevice: string;
  nireq: number;
  grpcWorkers: number;
  restWorkers: number;
  mounts: DeviceMount[];
  /** Per-instance extended resources, e.g. { 'ovfleet.io/vpu': 8 }. */
  extendedResources: Record<string, number>;
  packing: { instancesPerNode: number; nodesNeeded: number };
  totals: { vcpus: number; vpus: number };
  /** True when there are no violations. */
  fits: boolean;
  violations: Violation[];
  rationale: Rationale[];
}

/** Extended resource a VPU device plugin advertises; each HDDL instance requests its VPUs with it. */
export const VPU_RESOURCE = 'ovfleet.io/vpu';

/** Extended resource the Intel GPU device plugin advertises. */
export const GPU_RESOURCE = 'gpu.intel.com/i915';

/** Extended resource the Intel NPU device plugin advertises. */
export const NPU_RESOURCE = 'npu.intel.com/accel';

/** A plain two-socket hyper-threaded node with no accelerators, used when nothing is known. */
export const DEFAULT_NODE_FACTS: Readonly<NodeFacts> = Object.freeze({
  vcpus: 80,
  threadsPerCore: 2,
  count: 1,
  vpus: 0,
});

/** Names of the invariants plan() checks; Violation.rule is always one of these. */
export type RuleName =
  | 'inputs-are-counts'
  | 'replicas-positive'
  | 'budget-vcpus'
  | 'budget-vpus'
  | 'instance-fits-node-vcpus'
  | 'instance-fits-node-vpus'
  | 'threads-within-vcpus'
  | 'streams-within-threads'
  | 'streams-unsupported'
  | 'workers-cover-nireq'
  | 'nodes-available'
  | 'accelerators-present';
