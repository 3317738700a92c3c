import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { ComponentName, ComponentPorts } from './components.ts';
import type { FakeNodeSpec } from './fake-nodes.ts';
import type { CertPair } from './pki.ts';

/** One started component: its process-group leader, command line (for restarts) and log file. */
export interface ComponentRecord {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly log: string;
}

/** Contents of <cluster dir>/state.json, shared by every process that attaches to the cluster. */
export interface ClusterState {
  readonly version: 1;
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly binDir: string;
  readonly ports: ComponentPorts;
  readonly caCert: string;
  readonly admin: CertPair;
  readonly nodes: readonly FakeNodeSpec[];
  /** The process that started the components (their parent). */
  readonly ownerPid: number;
  /** The owner's control endpoint (control.ts), for restarts asked from other processes. */
  readonly controlUrl?: string;
  readonly components: Readonly<Partial<Record<ComponentName, ComponentRecord>>>;
}

const record = z.object({
  pid: z.number().int().positive(),
  argv: z.array(z.string()).min(1),
  log: z.string(),
});
const port = z.number().int().min(1).max(65_535);

const stateSchema = z.object({
  version: z.literal(1),
  dir: z.string(),
  server: z.string().url(),
  kubeconfigPath: z.string(),
  binDir: z.string(),
  ports: z.object({
    etcdClient: port,
    etcdPeer: port,
    apiserver: port,
    controllerManager: port,
    scheduler: port,
    kwok: port,
  }),
  caCert: z.string(),
  admin: z.object({ cert: z.string(), key: z.string() }),
  nodes: z.array(
    z.object({
      name: z.string(),
      cpu: z.number(),
      memory: z.string(),
      pods: z.number(),
      extendedResources: z.record(z.string(), z.number()),
      labels: z.record(z.string(), z.string()),
    }),
  ),
  ownerPid: z.number().int().positive(),
  controlUrl: z.string().url().optional(),
  components: z.object({
    etcd: record.optional(),
    'kube-apiserver': record.optional(),
    'kube-controller-manager': record.optional(),
    'kube-scheduler': record.optional(),
    kwok: record.optional(),
  }),
});

export function readState(file: string): ClusterState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err: unknown) {
    throw new Error(`cannot read cluster state ${file}`, { cause: err });
  }
  const parsed = stateSchema.parse(raw);
  const components: Partial<Record<ComponentName, ComponentRecord>> = {};
  for (const [name, value] of Object.entries(parsed.components)) {
    if (value !== undefined) components[name as ComponentName] = value;
  }
  const { controlUrl, ...rest } = parsed;
  return { ...rest, ...(controlUrl === undefined ? {} : { controlUrl }), components };
}

/** Replaces the state file atomically (write, then rename), so a reader never sees half a file. */
export function writeState(file: string, state: ClusterState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
