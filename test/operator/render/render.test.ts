import { loadAllYaml, type V1Container, type V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { render, renderList } from '../../../operator/render/objects.ts';
import { parseServerArgs } from '../../../server/config.ts';
import { cpuPlan, hddlPlan, service } from './fixtures.ts';

function serverContainer(d: V1Deployment): V1Container {
  const c = d.spec?.template.spec?.containers[0];
  if (c === undefined) throw new Error('no container');
  return c;
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('render: Deployment', () => {
  it('runs the plan: replicas, env, args and Guaranteed resources', () => {
    const { deployment } = render(service(), cpuPlan());
    expect(deployment.spec?.replicas).toBe(20);
    const c = serverContainer(deployment);
    expect(c.name).toBe('server');
    expect(c.env).toEqual([
      { name: 'OMP_NUM_THREADS', value: '4' },
      { name: 'KMP_BLOCKTIME', value: '1' },
    ]);
    const args = c.args ?? [];
    expect(flag(args, 'nireq')).toBe('2');
    expect(flag(args, 'port')).toBe('9000');
    expect(flag(args, 'rest_port')).toBe('8000');
    expect(flag(args, 'model_name')).toBe('ocr-cls');
    expect(flag(args, 'model_path')).toBe('/models/ocr-cls');
    expect(JSON.parse(flag(args, 'plugin_config') ?? '{}')).toEqual({
      PERFORMANCE_HINT: 'THROUGHPUT',
      NUM_STREAMS: '2',
      INFERENCE_NUM_THREADS: '4',
    });
    expect(c.resources?.requests).toEqual({ cpu: '4', memory: '2048Mi' });
    expect(c.resources?.limits).toEqual(c.resources?.requests);
  });

  it('renders args ovfleet-server parses back to the plan', () => {
    const args = serverContainer(render(service(), cpuPlan()).deployment).args ?? [];
    const settings = parseServerArgs(args);
    expect(settings).toMatchObject({ nireq: 2, grpc_workers: 1, rest_workers: 1, target_device: 'CPU' });
    expect(settings.plugin_config.INFERENCE_NUM_THREADS).toBe('4');
  });

  it("lets spec.server.ovProperties win over the plan's properties", () => {
    const isvc = service({
      server: { ovProperties: { NUM_STREAMS: '1', INFERENCE_PRECISION_HINT: 'bf16' } },
    });
    const args = serverContainer(render(isvc, cpuPlan()).deployment).args ?? [];
    expect(JSON.parse(flag(args, 'plugin_config') ?? '{}')).toMatchObject({
      NUM_STREAMS: '1',
      INFERENCE_PRECISION_HINT: 'bf16',
      INFERENCE_NUM_THREADS: '4',
    });
  });

  it('passes a non-default version policy in OVMS syntax', () => {
    const isvc = service({
      model: {
        name: 'm',
        source: { hostPath: { path: '/srv/m' } },
        versionPolicy: { specific: { versions: [1, 3] } },
      },
    });
    const args = serverContainer(render(isvc, cpuPlan()).deployment).args ?? [];
    expect(JSON.parse(flag(args, 'model_version_policy') ?? 'null')).toEqual({
      specific: { versions: [1, 3] },
    });
    expect(serverContainer(render(service(), cpuPlan()).deployment).args).not.toContain(
      '--model_version_policy',
    );
  });

  it('mounts the model read-only from the PVC sub-path, or from a host folder', () => {
    const pvc = render(service(), cpuPlan()).deployment;
    expect(pvc.spec?.template.spec?.volumes).toContainEqual({
      name: 'model',
      persistentVolumeClaim: { claimName: 'ocr-models', readOnly: true },
    });
    expect(serverContainer(pvc).volumeMounts).toContainEqual({
      name: 'model',
      mountPath: '/models/ocr-cls',
      readOnly: true,
      subPath: 'ocr-cls',
    });
    const host = render(
      service({ model: { name: 'det', source: { hostPath: { path: '/srv/det' } } } }),
      cpuPlan(),
    );
    expect(host.deployment.spec?.template.spec?.volumes).toContainEqual({
      name: 'model',
      hostPath: { path: '/srv/det', type: 'Directory' },
    });
  });

  it('probes the REST port on the Open Inference Protocol health paths', () => {
    const c = serverContainer(render(service(), cpuPlan()).deployment);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/v2/health/ready', port: 'http' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/v2/health/live', port: 'http' });
    expect(c.startupProbe?.httpGet?.path).toBe('/v2/health/live');
    expect(c.ports).toContainEqual({ name: 'http', containerPort: 8000, protocol: 'TCP' });
    expect(c.ports).toContainEqual({ name: 'grpc', containerPort: 9000, protocol: 'TCP' });
  });

  it('runs CPU pods locked down', () => {
    const { deployment } = render(service(), cpuPlan());
    const pod = deployment.spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(serverContainer(deployment).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod?.automountServiceAccountToken).toBe(false);
  });

  it('owns its children when the InferenceService has a uid, and claims none without one', () => {
    const owned = render(service(), cpuPlan());
    for (const o of [owned.deployment, owned.service, owned.podDisruptionBudget]) {
      expect(o.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'ovfleet.io/v1alpha1',
          kind: 'InferenceService',
          name: 'ocr-cls',
          uid: '0b6e4b1c-7f0e-4a57-9d7e-2f1c3d4e5f60',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(o.metadata?.namespace).toBe('vision');
    }
    const fromFile = render(service({}, { uid: undefined }), cpuPlan());
    expect(fromFile.deployment.metadata?.ownerReferences).toBeUndefined();
  });

  it('labels everything and selects its own pods only', () => {
    const { deployment, service: svc, podDisruptionBudget } = render(service(), cpuPlan());
    const labels = deployment.spec?.template.metadata?.labels;
    expect(labels).toEqual({
      'app.kubernetes.io/name': 'ovfleet-server',
      'app.kubernetes.io/instance': 'ocr-cls',
      'app.kubernetes.io/component': 'model-server',
      'app.kubernetes.io/managed-by': 'ovfleet',
      'app.kubernetes.io/part-of': 'ovfleet',
    });
    for (const selector of [
      deployment.spec?.selector.matchLabels,
      svc.spec?.selector,
      podDisruptionBudget.spec?.selector?.matchLabels,
    ]) {
      expect(selector?.['app.kubernetes.io/instance']).toBe('ocr-cls');
      expect(labels).toMatchObject(selector ?? { missing: 'selector' });
    }
  });

  it('rolls pods when the plan changes, not when only its explanation does', () => {
    const hashOf = (d: V1Deployment) => d.spec?.template.metadata?.annotations?.['ovfleet.io/plan-hash'];
    const base = hashOf(render(service(), cpuPlan()).deployment);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(hashOf(render(service(), cpuPlan({ rationale: [] })).deployment)).toBe(base);
    expect(hashOf(render(service(), cpuPlan({ nireq: 4 })).deployment)).not.toBe(base);
    // scaling the fleet (kubectl scale → replicas) changes no pod, so it must not roll them all
    const scaled = cpuPlan({ replicas: 7, packing: { instancesPerNode: 20, nodesNeeded: 1 } });
    expect(hashOf(render(service(), scaled).deployment)).toBe(base);
  });

  it('asks the scheduler to pack the fleet onto the nodes the plan counted on', () => {
    const { deployment } = render(service(), cpuPlan());
    const pod = deployment.spec?.template.spec;
    const preferred = pod?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    expect(preferred).toHaveLength(1);
    expect(preferred?.[0]?.podAffinityTerm).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: deployment.spec?.selector.matchLabels },
    });
    expect(pod?.topologySpreadConstraints).toBeUndefined();
  });

  it('never exceeds the budget during a rollout', () => {
    expect(render(service(), cpuPlan()).deployment.spec?.strategy?.rollingUpdate).toEqual({
      maxSurge: 0,
      maxUnavailable: 1,
    });
  });

  it('does not mutate its inputs', () => {
    const isvc = deepFreeze(service());
    const plan = deepFreeze(cpuPlan());
    expect(() => renderList(isvc, plan)).not.toThrow();
  });
});

describe('render: HDDL and the OVMS runtime', () => {
  const hddl = service({ device: 'HDDL', runtime: 'ovms', budget: { vcpus: 8, vpus: 8 } });

  it('mounts /dev/ion and /var/tmp from the host and requests the VPUs', () => {
    const { deployment } = render(hddl, hddlPlan());
    const c = serverContainer(deployment);
    expect(deployment.spec?.template.spec?.volumes).toEqual(
      expect.arrayContaining([
        { name: 'hddl-ion', hostPath: { path: '/dev/ion', type: 'CharDevice' } },
        { name: 'hddl-tmp', hostPath: { path: '/var/tmp', type: 'Directory' } },
      ]),
    );
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'hddl-ion', mountPath: '/dev/ion' },
        { name: 'hddl-tmp', mountPath: '/var/tmp' },
      ]),
    );
    expect(c.resources?.limits?.['ovfleet.io/vpu']).toBe('8');
    expect(c.resources?.requests?.['ovfleet.io/vpu']).toBe('8');
    expect(c.securityContext?.privileged).toBe(true);
    expect(c.securityContext?.allowPrivilegeEscalation).toBeUndefined();
  });

  it('gives the official image only flags it accepts, with nireq 32 and 64 gRPC workers', () => {
    const c = serverContainer(render(hddl, hddlPlan()).deployment);
    expect(c.image).toBe('openvino/model_server:2026.4');
    const args = c.args ?? [];
    expect(flag(args, 'nireq')).toBe('32');
    expect(flag(args, 'grpc_workers')).toBe('64');
    expect(flag(args, 'target_device')).toBe('HDDL');
    const names = args.filter((a) => a.startsWith('--'));
    const accepted = new Set([
      '--port',
      '--rest_port',
      '--grpc_bind_address',
      '--rest_bind_address',
      '--model_name',
      '--model_path',
      '--model_version_policy',
      '--nireq',
      '--target_device',
      '--plugin_config',
      '--shape',
      '--grpc_workers',
      '--rest_workers',
      '--log_level',
      '--file_system_poll_wait_seconds',
    ]);
    for (const n of names) expect(accepted, n).toContain(n);
  });
});

describe('render: Service and PodDisruptionBudget', () => {
  it('exposes gRPC and REST on the spec ports', () => {
    const { service: svc } = render(service({ server: { grpcPort: 9001, restPort: 8001 } }), cpuPlan());
    expect(svc.spec?.ports).toEqual([
      { name: 'grpc', port: 9001, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: 'http', port: 8001, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
    ]);
  });

  it('lets drains evict one instance at a time', () => {
    expect(render(service(), cpuPlan()).podDisruptionBudget.spec?.maxUnavailable).toBe(1);
  });

  it('produces objects the Kubernetes client library reads back as typed objects', () => {
    const text = renderList(service(), cpuPlan())
      .map((o) => `---\n${stringify(o)}`)
      .join('');
    const objects = loadAllYaml(text);
    expect(objects.map((o: { kind?: string }) => o.kind)).toEqual([
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
    const d = objects[0] as V1Deployment;
    expect(serverContainer(d).resources?.limits?.cpu).toBe('4');
  });
});
