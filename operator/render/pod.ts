// The pod template: one `server` container with the plan's args, env and resources, the model and
// device volumes, probes and a locked-down security context.
import type {
  V1Container,
  V1PodTemplateSpec,
  V1Probe,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { InferenceService } from '../api/resource.ts';
import type { InferenceServiceSpec } from '../api/spec.ts';
import type { Plan } from '../sizing/types.ts';
import { DEFAULT_IMAGES, SERVER_UID } from './images.ts';
import { commonLabels, PLAN_HASH_ANNOTATION, selectorLabels } from './metadata.ts';
import { modelMountPath, serverArgs } from './server-args.ts';

export const CONTAINER_NAME = 'server';
export const GRPC_PORT_NAME = 'grpc';
export const REST_PORT_NAME = 'http';
/** Seconds a pod gets to finish in-flight inferences after SIGTERM. */
export const TERMINATION_GRACE_SECONDS = 30;

/** Default memory per instance: 1 GiB for the runtime and model plus 256 MiB per vCPU (per stream). */
export function defaultMemory(vcpus: number): string {
  return `${1024 + 256 * vcpus}Mi`;
}

function resources(spec: InferenceServiceSpec, plan: Plan): V1ResourceRequirements {
  // requests = limits with an integer CPU count: Guaranteed QoS, so the kubelet's static CPU manager
  // can pin the instance to whole cores, which is what the plan's thread counts assume.
  const amounts: Record<string, string> = {
    cpu: String(plan.vcpusPerInstance),
    memory: spec.server.memory ?? defaultMemory(plan.vcpusPerInstance),
  };
  for (const [name, n] of Object.entries(plan.extendedResources)) amounts[name] = String(n);
  return { requests: { ...amounts }, limits: { ...amounts } };
}

function volumes(spec: InferenceServiceSpec, plan: Plan): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const model: V1Volume = { name: 'model' };
  const modelMount: V1VolumeMount = { name: 'model', mountPath: modelMountPath(spec), readOnly: true };
  const { pvc, hostPath } = spec.model.source;
  if (pvc !== undefined) {
    model.persistentVolumeClaim = { claimName: pvc.claimName, readOnly: true };
    if (pvc.subPath !== undefined) modelMount.subPath = pvc.subPath;
  } else if (hostPath !== undefined) {
    model.hostPath = { path: hostPath.path, type: 'Directory' };
  }
  const out = {
    volumes: [model, { name: 'tmp', emptyDir: {} }] as V1Volume[],
    mounts: [modelMount, { name: 'tmp', mountPath: '/tmp' }] as V1VolumeMount[],
  };
  for (const m of plan.mounts) {
    out.volumes.push({ name: m.name, hostPath: { path: m.hostPath, type: m.kind } });
    out.mounts.push({ name: m.name, mountPath: m.mountPath });
  }
  return out;
}

/**
 * Locked down by default. HDDL is the exception: hostPath device files (/dev/ion) are only usable
 * from a privileged container (no device plugin hands them out), exactly as OVMS's HDDL recipe runs
 * with `--device /dev/ion`; privileged implies privilege escalation, so that flag is left unset.
 */
function securityContext(plan: Plan): V1SecurityContext {
  const needsDevices = plan.mounts.some((m) => m.kind === 'CharDevice');
  if (needsDevices) return { privileged: true, readOnlyRootFilesystem: true };
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

function probe(path: string, periodSeconds: number, failureThreshold: number): V1Probe {
  return { httpGet: { path, port: REST_PORT_NAME }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
}

function container(isvc: InferenceService, plan: Plan): V1Container {
  const spec = isvc.spec;
  const { mounts } = volumes(spec, plan);
  const c: V1Container = {
    name: CONTAINER_NAME,
    image: spec.server.image ?? DEFAULT_IMAGES[spec.runtime],
    args: serverArgs(spec, plan),
    env: Object.entries(plan.env).map(([name, value]) => ({ name, value })),
    ports: [
      { name: GRPC_PORT_NAME, containerPort: spec.server.grpcPort, protocol: 'TCP' },
      { name: REST_PORT_NAME, containerPort: spec.server.restPort, protocol: 'TCP' },
    ],
    resources: resources(spec, plan),
    volumeMounts: mounts,
    // Loading and compiling a large model can take minutes: the startup probe allows 10 minutes
    // before liveness takes over, so slow loads are not killed in a restart loop.
    startupProbe: probe('/v2/health/live', 5, 120),
    livenessProbe: probe('/v2/health/live', 10, 3),
    readinessProbe: probe('/v2/health/ready', 5, 2),
    securityContext: securityContext(plan),
  };
  if (spec.server.imagePullPolicy !== undefined) c.imagePullPolicy = spec.server.imagePullPolicy;
  return c;
}

export function podTemplate(isvc: InferenceService, plan: Plan, hash: string): V1PodTemplateSpec {
  return {
    metadata: { labels: commonLabels(isvc), annotations: { [PLAN_HASH_ANNOTATION]: hash } },
    spec: {
      containers: [container(isvc, plan)],
      volumes: volumes(isvc.spec, plan).volumes,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: SERVER_UID,
        runAsGroup: SERVER_UID,
        fsGroup: SERVER_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      // Pack instances onto as few nodes as the plan counted on (plan.packing): the throughput plan
      // sizes many small instances to share a node (20 × 4 vCPU on an 80-vCPU node), so the
      // scheduler is asked to prefer nodes that already run this fleet. Preferred, not required: a
      // fleet larger than one node still spills over, and the PodDisruptionBudget limits evictions.
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: selectorLabels(isvc) },
              },
            },
          ],
        },
      },
    },
  };
}
