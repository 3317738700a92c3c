// The InferenceService spec (group ovfleet.io, version v1alpha1) as zod schemas with defaults. Every
// field carries a description; they flow into the CRD (operator/api/crd.ts) and `kubectl explain`.
import { z } from 'zod';
import { LOG_LEVELS } from '../../server/config.ts';
import { withRules } from './rules.ts';

export const OBJECTIVES = ['latency', 'throughput'] as const;
export const DEVICES = ['CPU', 'HDDL', 'GPU', 'NPU', 'AUTO'] as const;
export const RUNTIMES = ['ovfleet', 'ovms'] as const;
export const THREADINGS = ['tbb', 'omp'] as const;
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** Node facts the CLI assumes when the spec gives none: a two-socket hyper-threaded 80-vCPU server. */
export const DEFAULT_NODE_VCPUS = 80;
export const DEFAULT_THREADS_PER_CORE = 2;

const count = (min: number) => z.int().min(min);

const pvcSource = z
  .object({
    claimName: z.string().min(1).describe('Name of a PersistentVolumeClaim in the same namespace.'),
    subPath: z
      .string()
      .min(1)
      .optional()
      .describe('Folder inside the volume that holds the model (its numeric version folders).'),
  })
  .strict()
  .describe('Model files on a PersistentVolumeClaim, mounted read-only.');

const hostPathSource = z
  .object({
    path: z
      .string()
      .regex(/^\//, 'must be an absolute path')
      .describe('Absolute folder on every node that holds the model (its numeric version folders).'),
  })
  .strict()
  .describe('Model files in a folder on the node, mounted read-only.');

const modelSource = withRules(
  z
    .object({ pvc: pvcSource.optional(), hostPath: hostPathSource.optional() })
    .strict()
    .describe('Where the model repository lives; exactly one of pvc or hostPath.'),
  'spec.model.source',
);

const versionPolicy = withRules(
  z
    .object({
      latest: z
        .object({
          numVersions: count(1).default(1).describe('How many of the highest version numbers to serve.'),
        })
        .strict()
        .optional()
        .describe('Serve the newest versions.'),
      all: z.object({}).strict().optional().describe('Serve every version found.'),
      specific: z
        .object({
          versions: z.array(count(1)).min(1).describe('Version numbers (folder names) to serve.'),
        })
        .strict()
        .optional()
        .describe('Serve exactly these versions.'),
    })
    .strict()
    .describe('Which model versions to serve; exactly one of latest, all or specific (default: latest 1).'),
  'spec.model.versionPolicy',
);

const model = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
        'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      )
      .describe('Model name clients use in requests (/v2/models/<name>).'),
    source: modelSource,
    versionPolicy: versionPolicy.default({ latest: { numVersions: 1 } }),
  })
  .strict()
  .describe('The model to serve.');

const budget = z
  .object({
    vcpus: count(1).describe('Total vCPUs (logical CPUs) the whole fleet of instances may use.'),
    vpus: count(0).default(0).describe('Total VPUs/accelerators the fleet may use (HDDL needs at least 1).'),
  })
  .strict()
  .describe('What the fleet may consume in total; the plan divides it into instances.');

const overrides = withRules(
  z
    .object({
      vcpusPerInstance: count(1)
        .optional()
        .describe('vCPUs per instance (CPU request = limit); at most budget.vcpus.'),
      replicas: count(1).optional().describe('Number of instances; also what `kubectl scale` sets.'),
      nireq: count(1).max(1024).optional().describe('Infer requests per instance (parallel inferences).'),
      streams: count(1).optional().describe('OpenVINO NUM_STREAMS per instance; at most threads.'),
      threads: count(1)
        .optional()
        .describe('OpenVINO INFERENCE_NUM_THREADS and OMP_NUM_THREADS per instance.'),
      grpcWorkers: count(1).max(256).optional().describe('gRPC workers per instance.'),
      restWorkers: count(1).max(256).optional().describe('REST workers per instance.'),
    })
    .strict()
    .describe('Per-instance values that win over the derived ones; the plan still checks its invariants.'),
  'spec.overrides',
);

const node = z
  .object({
    vcpus: count(1)
      .default(DEFAULT_NODE_VCPUS)
      .describe('Allocatable vCPUs per node. Used by `ovfleet plan`; the controller reads the real nodes.'),
    threadsPerCore: count(1)
      .max(8)
      .default(DEFAULT_THREADS_PER_CORE)
      .describe('Hardware threads per physical core: 2 with hyper-threading, 1 without.'),
    count: count(1).optional().describe('Number of such nodes; default: as many as the budget needs.'),
    vpus: count(0).optional().describe('VPUs per node; default: all of budget.vpus on one node.'),
  })
  .strict()
  .describe('Node facts assumed when planning without a cluster (homogeneous nodes).');

const server = withRules(
  z
    .object({
      image: z
        .string()
        .min(1)
        .optional()
        .describe('Container image; default depends on runtime (ovfleet/server or openvino/model_server).'),
      imagePullPolicy: z.enum(PULL_POLICIES).optional().describe('Kubernetes image pull policy.'),
      grpcPort: count(1).max(65535).default(9000).describe('gRPC port of every instance.'),
      restPort: count(1).max(65535).default(8000).describe('REST port (health, metrics) of every instance.'),
      ovProperties: z
        .record(z.string(), z.string())
        .default({})
        .describe(
          'Extra OpenVINO properties (plugin_config); they win over the planned ones. Values are strings.',
        ),
      logLevel: z.enum(LOG_LEVELS).default('INFO').describe('Server log level.'),
      memory: z
        .string()
        .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity such as 4Gi')
        .optional()
        .describe('Memory request = limit per instance; default 1Gi + 256Mi per vCPU.'),
    })
    .strict()
    .describe('Model-server settings shared by every instance.'),
  'spec.server',
);

/** Fields that drive sizing; `ovfleet plan` validates flags against these alone. */
const sizingShape = {
  objective: z
    .enum(OBJECTIVES)
    .default('throughput')
    .describe('latency: few large instances; throughput: many small instances.'),
  budget,
  overrides: overrides.optional(),
  node: node.default({ vcpus: DEFAULT_NODE_VCPUS, threadsPerCore: DEFAULT_THREADS_PER_CORE }),
  device: z.enum(DEVICES).default('CPU').describe('OpenVINO device the instances run on.'),
  threading: z
    .enum(THREADINGS)
    .default('tbb')
    .describe('Threading runtime of the OpenVINO build: tbb (2019 R2 and later) or omp (legacy).'),
  runtime: z
    .enum(RUNTIMES)
    .default('ovfleet')
    .describe('ovfleet: the ovfleet server; ovms: the official OpenVINO Model Server image.'),
};

export const sizingSpecSchema = withRules(z.object(sizingShape).strict(), 'spec');

export const inferenceServiceSpecSchema = withRules(
  z
    .object({
      model,
      ...sizingShape,
      server: server.default({ grpcPort: 9000, restPort: 8000, ovProperties: {}, logLevel: 'INFO' }),
    })
    .strict()
    .describe('Desired state: a model, a budget and an objective.'),
  'spec',
);

export type SizingSpec = z.output<typeof sizingSpecSchema>;
export type SizingSpecInput = z.input<typeof sizingSpecSchema>;
export type InferenceServiceSpec = z.output<typeof inferenceServiceSpecSchema>;
export type InferenceServiceSpecInput = z.input<typeof inferenceServiceSpecSchema>;
export type Objective = (typeof OBJECTIVES)[number];
export type Device = (typeof DEVICES)[number];
export type Runtime = (typeof RUNTIMES)[number];
