import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Cluster } from '../cluster/harness.ts';
import { sharedCluster } from '../cluster/use-cluster.ts';
import { createNamespace, example, getJson, installCrd, type Json } from './support/kube.ts';

// The API server itself refuses invalid InferenceServices (CRD schema + CEL rules from operator/api),
// with a message naming the field — no operator involved.

const NS = 'it-crd';
let cluster: Cluster;

beforeAll(async () => {
  cluster = sharedCluster();
  await installCrd(cluster);
  await createNamespace(cluster, NS);
});

describe('the InferenceService CRD', () => {
  it('installs with kubectl apply -f crds/, and re-applying it changes nothing', async () => {
    const again = await cluster.kubectl(['apply', '-f', 'crds/']);
    expect(again).toMatch(/inferenceservices\.ovfleet\.io (unchanged|configured)/);
    const names = await cluster.kubectl(['api-resources', '--api-group=ovfleet.io', '-o', 'name']);
    expect(names.trim()).toBe('inferenceservices.ovfleet.io');
  });

  it('accepts the throughput example', async () => {
    const doc = example('throughput.yaml', NS, 'valid');
    const r = await cluster.kubectlResult(['apply', '--dry-run=server', '-f', '-'], {
      input: stringify(doc),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  const cases: [string, (spec: Json) => void, RegExp][] = [
    ['a negative budget', (s) => (s.budget = { vcpus: -4 }), /spec\.budget\.vcpus/],
    ['an unknown objective', (s) => (s.objective = 'fastest'), /spec\.objective/],
    [
      'per-instance vCPUs above the budget',
      (s) => {
        s.budget = { vcpus: 8 };
        s.overrides = { vcpusPerInstance: 16 };
      },
      /spec\.overrides\.vcpusPerInstance|vcpusPerInstance/,
    ],
    [
      'HDDL without VPUs',
      (s) => {
        s.device = 'HDDL';
        s.budget = { vcpus: 8 };
      },
      /spec\.budget\.vpus|vpus/,
    ],
  ];

  for (const [what, edit, field] of cases) {
    it(`refuses ${what}, naming the field`, async () => {
      const name = `bad-${what.replace(/[^a-z]+/gi, '-').toLowerCase()}`.replace(/-+$/, '');
      const doc = example('throughput.yaml', NS, name);
      edit(doc.spec);
      const r = await cluster.kubectlResult(['apply', '-f', '-'], { input: stringify(doc) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/is invalid/);
      expect(r.stderr).toMatch(field);
      expect(await getJson(cluster, ['inferenceservice', name, '-n', NS])).toBeUndefined();
    });
  }
});
