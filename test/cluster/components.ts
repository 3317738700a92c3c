import { join } from 'node:path';
import type { ClusterPki } from './pki.ts';

/** The processes of one local control plane, in start order. */
export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

export const START_ORDER: readonly ComponentName[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];

export interface ComponentPorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
}

/** Everything a command line needs to know about the cluster's files. */
export interface ComponentContext {
  readonly binDir: string;
  readonly dir: string;
  readonly ports: ComponentPorts;
  readonly pki: ClusterPki;
  /** kubeconfig per in-cluster client identity. */
  readonly kubeconfigs: {
    readonly controllerManager: string;
    readonly scheduler: string;
    readonly kwok: string;
  };
}

/** Annotation that marks the nodes kwok owns; the harness puts it on every fake node. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const KWOK_NODE_ANNOTATION_VALUE = 'fake';
/** kwok configuration next to the binaries: the Stage objects that drive fake nodes and pods. */
export const KWOK_STAGES_FILE = 'kwok-stages.yaml';
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

export const SCHEDULER_CONFIG_FILE = 'scheduler-config.yaml';

/**
 * The scheduler bin-packs, as clusters that run many small CPU-pinned instances are set up to:
 * NodeResourcesFit scores by MostAllocated and the system's default spreading is off, so the
 * fleet's preferred pod affinity (operator/render) packs 20 × 4 vCPU onto one 80-vCPU node, which
 * is what the plan's packing counted on.
 */
export function schedulerConfig(kubeconfig: string): string {
  return [
    'apiVersion: kubescheduler.config.k8s.io/v1',
    'kind: KubeSchedulerConfiguration',
    'clientConnection:',
    `  kubeconfig: ${JSON.stringify(kubeconfig)}`,
    'leaderElection:',
    '  leaderElect: false',
    'profiles:',
    '  - schedulerName: default-scheduler',
    '    pluginConfig:',
    '      - name: NodeResourcesFit',
    '        args:',
    '          scoringStrategy:',
    '            type: MostAllocated',
    '            resources: [{ name: cpu, weight: 1 }, { name: memory, weight: 1 }]',
    '      - name: PodTopologySpread',
    '        args:',
    '          defaultingType: List',
    '          defaultConstraints: []',
    '',
  ].join('\n');
}

type ArgvBuilder = (c: ComponentContext) => string[];

const ARGV: Record<ComponentName, ArgvBuilder> = {
  etcd: (c) => {
    const peer = `http://127.0.0.1:${c.ports.etcdPeer}`;
    const client = `http://127.0.0.1:${c.ports.etcdClient}`;
    return [
      join(c.binDir, 'etcd'),
      '--name=ovfleet',
      `--data-dir=${join(c.dir, 'etcd-data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=ovfleet=${peer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ];
  },
  'kube-apiserver': (c) => [
    join(c.binDir, 'kube-apiserver'),
    `--etcd-servers=http://127.0.0.1:${c.ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // The lease reconciler refuses a loopback advertise address; nothing here needs kubernetes.default's
    // endpoints (kwok runs no containers), so none.
    '--endpoint-reconciler-type=none',
    `--secure-port=${c.ports.apiserver}`,
    `--cert-dir=${join(c.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${c.pki.apiserver.cert}`,
    `--tls-private-key-file=${c.pki.apiserver.key}`,
    `--client-ca-file=${c.pki.ca.cert}`,
    '--authorization-mode=Node,RBAC',
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${c.pki.serviceAccount.publicKey}`,
    `--service-account-signing-key-file=${c.pki.serviceAccount.privateKey}`,
    '--allow-privileged=true',
    '--profiling=false',
    '--v=1',
  ],
  'kube-controller-manager': (c) => [
    join(c.binDir, 'kube-controller-manager'),
    `--kubeconfig=${c.kubeconfigs.controllerManager}`,
    `--authentication-kubeconfig=${c.kubeconfigs.controllerManager}`,
    `--authorization-kubeconfig=${c.kubeconfigs.controllerManager}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${c.ports.controllerManager}`,
    `--cert-dir=${join(c.dir, 'controller-manager-certs')}`,
    '--controllers=*',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${c.pki.serviceAccount.privateKey}`,
    `--root-ca-file=${c.pki.ca.cert}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--leader-elect=false',
    '--profiling=false',
    '--v=1',
  ],
  'kube-scheduler': (c) => [
    join(c.binDir, 'kube-scheduler'),
    `--config=${join(c.dir, SCHEDULER_CONFIG_FILE)}`,
    `--authentication-kubeconfig=${c.kubeconfigs.scheduler}`,
    `--authorization-kubeconfig=${c.kubeconfigs.scheduler}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${c.ports.scheduler}`,
    `--cert-dir=${join(c.dir, 'scheduler-certs')}`,
    '--profiling=false',
    '--v=1',
  ],
  kwok: (c) => [
    join(c.binDir, 'kwok'),
    // Stage definitions (node init + lease heartbeat, pod ready/complete/delete), written by build.sh.
    `--config=${join(c.binDir, KWOK_STAGES_FILE)}`,
    `--kubeconfig=${c.kubeconfigs.kwok}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=${KWOK_NODE_ANNOTATION_VALUE}`,
    '--manage-nodes-with-label-selector=',
    '--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom',
    '--disregard-status-with-label-selector=',
    '--cidr=10.244.0.1/16',
    '--node-ip=10.244.0.1',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${c.ports.kwok}`,
  ],
};

export function componentArgv(name: ComponentName, context: ComponentContext): string[] {
  return ARGV[name](context);
}

/** URL that answers 200 once the component serves; `admin` = needs the admin client certificate. */
export interface HealthProbe {
  readonly url: string;
  readonly tls: 'none' | 'admin' | 'self-signed';
}

const HEALTH: Record<ComponentName, (p: ComponentPorts) => HealthProbe> = {
  etcd: (p) => ({ url: `http://127.0.0.1:${p.etcdClient}/health`, tls: 'none' }),
  'kube-apiserver': (p) => ({ url: `https://127.0.0.1:${p.apiserver}/readyz`, tls: 'admin' }),
  'kube-controller-manager': (p) => ({
    url: `https://127.0.0.1:${p.controllerManager}/healthz`,
    tls: 'self-signed',
  }),
  'kube-scheduler': (p) => ({ url: `https://127.0.0.1:${p.scheduler}/healthz`, tls: 'self-signed' }),
  kwok: (p) => ({ url: `http://127.0.0.1:${p.kwok}/healthz`, tls: 'none' }),
};

export function healthProbe(name: ComponentName, ports: ComponentPorts): HealthProbe {
  return HEALTH[name](ports);
}
