import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeNodeManifest } from '../cluster/fake-nodes.ts';
import type { Cluster } from '../cluster/harness.ts';
import { sharedCluster } from '../cluster/use-cluster.ts';
import {
  applyObject,
  createModelVolume,
  createNamespace,
  dig,
  example,
  getJson,
  installCrd,
  waitForCondition,
} from './support/kube.ts';
import { OperatorProcess } from './support/operator-process.ts';

// The operator plans against the nodes the cluster really has, and plans again when they change: an
// instance too big for every node waits with PlanFits=False (and no pending pods) until a node that
// can hold it joins.

const NS = 'it-nodes';
const BIG_NODE = 'node-big';
let cluster: Cluster;
let op: OperatorProcess;

beforeAll(async () => {
  cluster = sharedCluster();
  await installCrd(cluster);
  await createNamespace(cluster, NS);
  await createModelVolume(cluster, NS);
  op = await OperatorProcess.start({ kubeconfig: cluster.kubeconfigPath, namespace: NS });
  await op.ready();
});

afterAll(async () => {
  await op?.stop();
  await cluster?.kubectlResult([
    'delete',
    'inferenceservice',
    '--all',
    '-n',
    NS,
    '--wait=true',
    '--timeout=60s',
  ]);
  await cluster?.kubectlResult(['delete', 'node', BIG_NODE, '--wait=true', '--timeout=60s']);
  await cluster?.kubectlResult(['delete', 'namespace', NS, '--wait=false']);
});

describe('planning against the real nodes', () => {
  it('holds a 100-vCPU instance back until a node that can hold it joins, then runs it there', async () => {
    const doc = example('throughput.yaml', NS, 'wide');
    doc.spec.objective = 'latency';
    doc.spec.budget = { vcpus: 100 };
    doc.spec.overrides = { vcpusPerInstance: 100 };
    await applyObject(cluster, doc);
    const before = await waitForCondition(cluster, NS, 'wide', 'PlanFits', 'False');
    expect(before.conditions.PlanFits?.message).toMatch(/80/);
    expect(await getJson(cluster, ['deployment', 'wide', '-n', NS])).toBeUndefined();

    await applyObject(
      cluster,
      fakeNodeManifest({
        name: BIG_NODE,
        cpu: 128,
        memory: '512Gi',
        pods: 110,
        extendedResources: {},
        labels: {},
      }),
    );
    const s = await waitForCondition(cluster, NS, 'wide', 'Ready', 'True', 120_000);
    expect(s?.conditions.PlanFits?.status).toBe('True');
    const pods = await getJson<{ items: unknown[] }>(cluster, [
      'pods',
      '-n',
      NS,
      '-l',
      'app.kubernetes.io/instance=wide',
    ]);
    expect(pods?.items).toHaveLength(1);
    expect(dig(pods?.items[0], 'spec', 'nodeName')).toBe(BIG_NODE);
  });
});
