import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Cluster } from '../cluster/harness.ts';
import { sharedCluster } from '../cluster/use-cluster.ts';
import {
  applyObject,
  createModelVolume,
  createNamespace,
  dig,
  example,
  installCrd,
  waitForCondition,
} from './support/kube.ts';
import { OperatorProcess } from './support/operator-process.ts';

// manifests/ grants the operator exactly what it uses: kubectl auth can-i as its ServiceAccount, then
// the operator itself running on that ServiceAccount's token reconciles an InferenceService to Ready.

const NS = 'it-rbac';
const SA = 'system:serviceaccount:ovfleet-system:ovfleet-operator';
let cluster: Cluster;
let dir: string;
let op: OperatorProcess | undefined;

/** `resource` may carry a subresource after a slash (inferenceservices.ovfleet.io/status). */
async function canI(verb: string, resource: string, namespace?: string): Promise<string> {
  const [type = '', subresource] = resource.split('/');
  const args = [
    'auth',
    'can-i',
    verb,
    type,
    ...(subresource ? [`--subresource=${subresource}`] : []),
    `--as=${SA}`,
    ...(namespace ? ['-n', namespace] : ['--all-namespaces']),
  ];
  const r = await cluster.kubectlResult(args);
  return r.stdout.trim();
}

beforeAll(async () => {
  cluster = sharedCluster();
  await installCrd(cluster);
  for (const file of ['namespace.yaml', 'service-account.yaml', 'rbac.yaml']) {
    await cluster.kubectl(['apply', '-f', `manifests/${file}`]);
  }
  await createNamespace(cluster, NS);
  await createModelVolume(cluster, NS);
  dir = mkdtempSync(join(tmpdir(), 'ovfleet-rbac-'));
});

afterAll(async () => {
  await op?.stop();
  await cluster?.kubectlResult(['delete', 'namespace', NS, '--wait=false']);
  await cluster?.kubectlResult(['delete', 'lease', 'ovfleet-operator', '-n', 'ovfleet-system']);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('operator RBAC from manifests/', () => {
  const needed: [string, string, string?][] = [
    ['list', 'inferenceservices.ovfleet.io'],
    ['watch', 'inferenceservices.ovfleet.io'],
    ['patch', 'inferenceservices.ovfleet.io/status'],
    ['create', 'deployments.apps'],
    ['patch', 'deployments.apps'],
    ['watch', 'deployments.apps'],
    ['patch', 'services'],
    ['patch', 'poddisruptionbudgets.policy'],
    ['list', 'nodes'],
    ['create', 'events.events.k8s.io'],
    ['create', 'leases.coordination.k8s.io', 'ovfleet-system'],
    ['update', 'leases.coordination.k8s.io', 'ovfleet-system'],
  ];
  const refused: [string, string, string?][] = [
    ['get', 'secrets'],
    ['list', 'configmaps'],
    ['create', 'pods/exec'],
    ['delete', 'nodes'],
    ['delete', 'deployments.apps'],
    ['update', 'inferenceservices.ovfleet.io'],
    ['delete', 'inferenceservices.ovfleet.io'],
    ['create', 'leases.coordination.k8s.io', 'default'],
  ];

  it('the whole install (kubectl apply -k manifests/) is valid, and its pods meet the restricted Pod Security level', async () => {
    const r = await cluster.kubectlResult(['apply', '-k', 'manifests/', '--dry-run=server']);
    expect(r.stderr).not.toMatch(/PodSecurity|violate/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deployment\.apps\/ovfleet-operator (created|configured|unchanged)/);
  });

  it('grants every verb the operator uses', async () => {
    for (const [verb, resource, ns] of needed) {
      expect(`${verb} ${resource}: ${await canI(verb, resource, ns)}`).toBe(`${verb} ${resource}: yes`);
    }
  });

  it('grants nothing it does not use', async () => {
    for (const [verb, resource, ns] of refused) {
      expect(`${verb} ${resource}: ${await canI(verb, resource, ns)}`).toBe(`${verb} ${resource}: no`);
    }
  });

  it('is sufficient: the operator on the ServiceAccount token reconciles an InferenceService to Ready', async () => {
    const token = (
      await cluster.kubectl(['create', 'token', 'ovfleet-operator', '-n', 'ovfleet-system'])
    ).trim();
    const admin = parse(readFileSync(cluster.kubeconfigPath, 'utf8')) as Record<string, unknown>;
    const ca = dig<string>(admin, 'clusters', 0, 'cluster', 'certificate-authority-data');
    const kubeconfig = join(dir, 'operator.kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
        users: [{ name: 'ovfleet-operator', user: { token } }],
        contexts: [{ name: 'operator', context: { cluster: 'local', user: 'ovfleet-operator' } }],
        'current-context': 'operator',
      }),
    );
    op = await OperatorProcess.start({
      kubeconfig,
      namespace: NS,
      leaderElect: true,
      leaseNamespace: 'ovfleet-system',
      identity: 'rbac-test',
    });
    await op.ready();
    const doc = example('throughput.yaml', NS, 'rbac');
    doc.spec.budget = { vcpus: 8 };
    await applyObject(cluster, doc);
    await waitForCondition(cluster, NS, 'rbac', 'Ready', 'True', 120_000);
    expect(op.log).not.toMatch(/forbidden/i);
    const events = await cluster.kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'involvedObject.name=rbac',
    ]);
    expect(events).toMatch(/DeploymentCreated/);
  });
});
