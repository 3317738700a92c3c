import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadYaml, type V1CustomResourceDefinition, type V1JSONSchemaProps } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CRD_FILE, crdObject, crdYaml } from '../../../operator/api/crd.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
};

function versionOf(crd: Record<string, unknown>): Record<string, unknown> {
  const spec = crd.spec as { versions: Record<string, unknown>[] };
  const v = spec.versions[0];
  if (v === undefined) throw new Error('CRD has no version');
  return v;
}

function openApi(): Schema {
  return (versionOf(crdObject()).schema as { openAPIV3Schema: Schema }).openAPIV3Schema;
}

function node(path: string): Schema {
  let cur: Schema | undefined = openApi();
  for (const key of path.split('.')) cur = cur?.properties?.[key];
  if (cur === undefined) throw new Error(`no schema at ${path}`);
  return cur;
}

function walk(schema: Schema, path: string, visit: (s: Schema, path: string) => void): void {
  visit(schema, path);
  for (const [k, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${k}`, visit);
  if (schema.items !== undefined) walk(schema.items, `${path}[]`, visit);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}{}`, visit);
}

describe('InferenceService CRD', () => {
  it(`matches the committed ${CRD_FILE} (run \`node bin/ovfleet.js crd > ${CRD_FILE}\` after a schema change)`, async () => {
    const committed = await readFile(`${repoRoot}${CRD_FILE}`, 'utf8');
    expect(committed).toBe(crdYaml());
  });

  it('parses as an apiextensions.k8s.io/v1 CustomResourceDefinition with the client library types', () => {
    const crd = loadYaml<V1CustomResourceDefinition>(crdYaml());
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.metadata?.name).toBe('inferenceservices.ovfleet.io');
    expect(crd.spec.group).toBe('ovfleet.io');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toMatchObject({
      kind: 'InferenceService',
      plural: 'inferenceservices',
      shortNames: ['ovis'],
    });
    const version = crd.spec.versions[0];
    expect(version?.name).toBe('v1alpha1');
    expect(version?.served && version.storage).toBe(true);
    const spec = version?.schema?.openAPIV3Schema?.properties?.spec as V1JSONSchemaProps;
    // x-kubernetes-validations reached the typed field, so the API server will see the rules.
    expect(spec.x_kubernetes_validations?.map((r) => r.rule)).toHaveLength(2);
    expect(version?.subresources?.scale).toEqual({
      specReplicasPath: '.spec.overrides.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    });
    expect(version?.subresources?.status).toEqual({});
  });

  it('is a structural schema: a type on every node, no $schema, no additionalProperties: false', () => {
    const text = crdYaml();
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('propertyNames');
    walk(openApi(), '', (s, path) => {
      expect(s.type, `type at ${path || '(root)'}`).toBeTypeOf('string');
      expect(s.additionalProperties, `additionalProperties at ${path}`).not.toBe(false);
      expect(s).not.toHaveProperty('anyOf');
      expect(s).not.toHaveProperty('oneOf');
      if (s.type === 'integer') {
        expect(s.format, `format at ${path}`).toBe('int64');
        expect(s.maximum === undefined || (s.maximum as number) < 2 ** 32, `maximum at ${path}`).toBe(true);
      }
    });
  });

  it('validates at apply time: enums, minimums and defaults', () => {
    expect(node('spec.objective').enum).toEqual(['latency', 'throughput']);
    expect(node('spec.device').enum).toEqual(['CPU', 'HDDL', 'GPU', 'NPU', 'AUTO']);
    expect(node('spec.runtime').enum).toEqual(['ovfleet', 'ovms']);
    expect(node('spec.budget.vcpus').minimum).toBe(1);
    expect(node('spec.budget.vpus').minimum).toBe(0);
    expect(node('spec.overrides.nireq').maximum).toBe(1024);
    expect(node('spec.node.vcpus').default).toBe(80);
    expect(node('spec.node.threadsPerCore').default).toBe(2);
    expect(node('spec.device').default).toBe('CPU');
    expect(node('spec').required).toEqual(['model', 'budget']);
    expect(node('spec.budget.vcpus').description).toMatch(/vCPUs/);
  });

  it('carries the cross-field CEL rules where they apply, each referring to real fields', () => {
    const rulesAt = (path: string) =>
      ((path === '' ? openApi() : node(path))['x-kubernetes-validations'] as { rule: string }[]).map(
        (r) => r.rule,
      );
    expect(rulesAt('spec').join(' ')).toContain('self.overrides.vcpusPerInstance <= self.budget.vcpus');
    expect(rulesAt('spec').join(' ')).toContain("self.device != 'HDDL'");
    expect(rulesAt('spec.model.source')).toEqual(['has(self.pvc) != has(self.hostPath)']);
    expect(rulesAt('spec.overrides')[0]).toContain('self.streams <= self.threads');
    expect(rulesAt('')[0]).toContain('self.metadata.name');
    // Every self.a.b path named in a rule exists in the schema below the rule's node (typo guard).
    for (const path of [
      'spec',
      'spec.model.source',
      'spec.model.versionPolicy',
      'spec.overrides',
      'spec.server',
    ]) {
      for (const rule of rulesAt(path)) {
        for (const ref of rule.matchAll(/self((?:\.[A-Za-z]+)+)/g)) {
          expect(() => node(`${path}${ref[1]}`), `${ref[0]} in ${path}`).not.toThrow();
        }
      }
    }
  });

  it('shows objective, replicas, ready, vCPU/instance, nireq and age as printer columns read from status', () => {
    const cols = versionOf(crdObject()).additionalPrinterColumns as { name: string; jsonPath: string }[];
    const byName = Object.fromEntries(cols.map((c) => [c.name, c.jsonPath]));
    expect(byName).toMatchObject({
      Objective: '.spec.objective',
      Replicas: '.status.replicas',
      Ready: '.status.readyReplicas',
      'vCPU/Instance': '.status.plan.vcpusPerInstance',
      Nireq: '.status.plan.nireq',
      Age: '.metadata.creationTimestamp',
    });
    // The status paths exist in the status schema.
    expect(node('status.plan.vcpusPerInstance').type).toBe('integer');
    expect(node('status.selector').type).toBe('string');
  });

  it('keys conditions by type so server-side apply merges them', () => {
    const conditions = node('status.conditions');
    expect(conditions['x-kubernetes-list-type']).toBe('map');
    expect(conditions['x-kubernetes-list-map-keys']).toEqual(['type']);
    expect(conditions.items?.required).toContain('type');
  });
});
