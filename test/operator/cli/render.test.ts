import { readdir, readFile } from 'node:fs/promises';
import {
  loadAllYaml,
  type V1Container,
  type V1Deployment,
  type V1PodDisruptionBudget,
  type V1Service,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ovfleet, REPO_ROOT } from './run-cli.ts';

function container(d: V1Deployment): V1Container {
  const c = d.spec?.template.spec?.containers[0];
  if (c === undefined) throw new Error('no container');
  return c;
}

describe('ovfleet render', () => {
  it('-f examples/throughput.yaml prints Kubernetes objects whose pods carry the plan', () => {
    const r = ovfleet(['render', '-f', 'examples/throughput.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('---\n')).toBe(true);
    const objects = loadAllYaml(r.stdout) as (V1Deployment | V1Service | V1PodDisruptionBudget)[];
    expect(objects.map((o) => `${o.apiVersion}/${o.kind}`)).toEqual([
      'apps/v1/Deployment',
      'v1/Service',
      'policy/v1/PodDisruptionBudget',
    ]);
    const d = objects[0] as V1Deployment;
    expect(d.metadata?.name).toBe('ocr-cls');
    expect(d.spec?.replicas).toBe(20);
    const c = container(d);
    expect(c.env).toContainEqual({ name: 'OMP_NUM_THREADS', value: '4' });
    expect(c.resources?.requests?.cpu).toBe('4');
    expect(c.resources?.limits).toEqual(c.resources?.requests);
    expect(c.resources?.limits?.memory).toBe('2Gi'); // the example's spec.server.memory
    const args = c.args ?? [];
    const plugin = JSON.parse(args[args.indexOf('--plugin_config') + 1] ?? '{}') as Record<string, string>;
    expect(plugin.INFERENCE_NUM_THREADS).toBe('4');
    expect(c.readinessProbe?.httpGet?.path).toBe('/v2/health/ready');
    const svc = objects[1] as V1Service;
    expect(svc.spec?.ports?.map((p) => p.port)).toEqual([9000, 8000]);
  });

  it('-f examples/hddl.yaml mounts the HDDL device files and passes OVMS flags', () => {
    const r = ovfleet(['render', '-f', 'examples/hddl.yaml']);
    expect(r.code).toBe(0);
    const d = (loadAllYaml(r.stdout) as V1Deployment[])[0] as V1Deployment;
    const c = container(d);
    expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(expect.arrayContaining(['/dev/ion', '/var/tmp']));
    expect(c.args).toEqual(
      expect.arrayContaining(['--nireq', '32', '--grpc_workers', '64', '--target_device', 'HDDL']),
    );
  });

  it('accepts every example', async () => {
    const files = (await readdir(`${REPO_ROOT}examples`)).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(
      expect.arrayContaining(['latency.yaml', 'throughput.yaml', 'hddl.yaml', 'ovms-runtime.yaml']),
    );
    for (const f of files) {
      const r = ovfleet(['render', '-f', `examples/${f}`]);
      expect(r.stderr, f).toBe('');
      expect(r.code, f).toBe(0);
      expect(loadAllYaml(r.stdout).length, f).toBeGreaterThanOrEqual(3);
    }
  });

  it('refuses a plan that does not fit (exit 2) unless --allow-unfit', () => {
    const spec = [
      'apiVersion: ovfleet.io/v1alpha1',
      'kind: InferenceService',
      'metadata: {name: too-many}',
      'spec:',
      '  model: {name: m, source: {hostPath: {path: /m}}}',
      '  budget: {vcpus: 80}',
      '  overrides: {replicas: 30, vcpusPerInstance: 4}',
    ].join('\n');
    const refused = ovfleet(['render', '-f', '-'], spec);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/too-many: the plan does not fit/);
    expect(refused.stderr).toMatch(/budget-vcpus: /);
    const forced = ovfleet(['render', '-f', '-', '--allow-unfit'], spec);
    expect(forced.code).toBe(0);
    expect((loadAllYaml(forced.stdout)[0] as V1Deployment).spec?.replicas).toBe(30);
  });

  it('rejects an invalid spec with exit 2 and the field', () => {
    const r = ovfleet(
      ['render', '-f', '-'],
      'apiVersion: ovfleet.io/v1alpha1\nkind: InferenceService\nmetadata: {name: x}\nspec: {model: {name: x, source: {}}, budget: {vcpus: 4}}\n',
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'ovfleet: spec.model.source: must set exactly one of pvc or hostPath (got neither)',
    );
  });
});

describe('ovfleet crd', () => {
  it('prints exactly the committed CRD file', async () => {
    const r = ovfleet(['crd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(await readFile(`${REPO_ROOT}crds/inferenceservices.ovfleet.io.yaml`, 'utf8'));
  });
});
