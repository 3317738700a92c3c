import { VPU_RESOURCE } from '../../operator/sizing/types.ts';
import { KWOK_NODE_ANNOTATION, KWOK_NODE_ANNOTATION_VALUE } from './components.ts';

/** A node kwok keeps Ready and whose pods it reports Running without starting containers. */
export interface FakeNodeSpec {
  readonly name: string;
  readonly cpu: number;
  /** Kubernetes quantity, e.g. "320Gi". */
  readonly memory: string;
  readonly pods: number;
  /** Extended resources the node advertises, e.g. { 'ovfleet.io/vpu': 8 }. */
  readonly extendedResources: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** Label on nodes that advertise VPUs (value "true"); the extended resource itself is VPU_RESOURCE. */
export const VPU_NODE_LABEL = 'ovfleet.io/vpu';

/** Two 80-vCPU nodes; node-b also has 8 VPUs (an HDDL card) as the extended resource ovfleet.io/vpu. */
export const DEFAULT_FAKE_NODES: readonly FakeNodeSpec[] = [
  { name: 'node-a', cpu: 80, memory: '320Gi', pods: 110, extendedResources: {}, labels: {} },
  {
    name: 'node-b',
    cpu: 80,
    memory: '320Gi',
    pods: 110,
    extendedResources: { [VPU_RESOURCE]: 8 },
    labels: { [VPU_NODE_LABEL]: 'true' },
  },
];

/** The Node object for one fake node (status included: kwok keeps what it is created with). */
export function fakeNodeManifest(spec: FakeNodeSpec): Record<string, unknown> {
  const resources: Record<string, string> = {
    cpu: String(spec.cpu),
    memory: spec.memory,
    pods: String(spec.pods),
    'ephemeral-storage': '1Ti',
  };
  for (const [name, count] of Object.entries(spec.extendedResources)) resources[name] = String(count);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      annotations: {
        [KWOK_NODE_ANNOTATION]: KWOK_NODE_ANNOTATION_VALUE,
        'node.alpha.kubernetes.io/ttl': '0',
      },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': spec.name,
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
        ...spec.labels,
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
    },
  };
}

/** A kubectl-applyable List of the nodes. */
export function fakeNodeList(specs: readonly FakeNodeSpec[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: specs.map(fakeNodeManifest) });
}
