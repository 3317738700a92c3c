import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/harness.ts';
import { sharedCluster } from '../cluster/use-cluster.ts';
import {
  applyObject,
  createModelVolume,
  createNamespace,
  dig,
  eventually,
  example,
  getJson,
  installCrd,
  isvcStatus,
  type Json,
  waitForCondition,
} from './support/kube.ts';
import { OperatorProcess } from './support/operator-process.ts';

// The operator (a real `ovfleet run` process) against the real control plane, through the life of
// the throughput example: create → Ready → idempotent → objective/budget changes → drift reverted →
// kubectl scale → unfit budget → delete.

const NS = 'it-lifecycle';
const NAME = 'ocr-cls';
const SELECTOR = `app.kubernetes.io/instance=${NAME}`;
let cluster: Cluster;
let op: OperatorProcess;

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

const container = (podSpecOwner: unknown): Container =>
  dig<Container[]>(podSpecOwner, 'spec', 'template', 'spec', 'containers')?.[0] ??
  dig<Container[]>(podSpecOwner, 'spec', 'containers')?.[0] ?? { name: '' };
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;

async function deployment(): Promise<Json | undefined> {
  return getJson(cluster, ['deployment', NAME, '-n', NS]);
}

async function pods(): Promise<Json[]> {
  return (await getJson<{ items: Json[] }>(cluster, ['pods', '-n', NS, '-l', SELECTOR]))?.items ?? [];
}

async function readyAtGeneration(name = NAME): Promise<boolean> {
  const s = await isvcStatus(cluster, NS, name);
  return (
    s !== undefined &&
    dig(s.raw, 'status', 'observedGeneration') === dig(s.raw, 'metadata', 'generation') &&
    s.conditions.Ready?.status === 'True'
  );
}

async function patchSpec(spec: Json, name = NAME): Promise<void> {
  await cluster.kubectl([
    'patch',
    'inferenceservice',
    name,
    '-n',
    NS,
    '--type=merge',
    '-p',
    JSON.stringify({ spec }),
  ]);
}

beforeAll(async () => {
  cluster = sharedCluster();
  await installCrd(cluster);
  await createNamespace(cluster, NS);
  await createModelVolume(cluster, NS);
  op = await OperatorProcess.start({ kubeconfig: cluster.kubeconfigPath, namespace: NS, resyncSeconds: 2 });
  await op.ready();
});

afterAll(async () => {
  await op?.stop();
  await cluster?.kubectlResult(['delete', 'namespace', NS, '--wait=false']);
});

describe('operator lifecycle on a real control plane', () => {
  it('examples/throughput.yaml (80 vCPU) → 20 Ready pods of 4 vCPU each, OMP_NUM_THREADS=4', async () => {
    await applyObject(cluster, example('throughput.yaml', NS));
    const wait = await cluster.kubectlResult([
      'wait',
      '--for=condition=Ready',
      `inferenceservice/${NAME}`,
      '-n',
      NS,
      '--timeout=120s',
    ]);
    expect(wait.stderr).toBe('');
    expect(wait.code).toBe(0);
    const list = await pods();
    expect(list).toHaveLength(20);
    const perNode = new Map<string, number>();
    for (const pod of list) {
      const c = container(pod);
      expect(c.resources?.requests?.cpu).toBe('4');
      expect(c.resources?.limits?.cpu).toBe('4');
      expect(c.resources?.requests?.memory).toBe(c.resources?.limits?.memory);
      expect(env(c, 'OMP_NUM_THREADS')).toBe('4');
      const ready = dig<{ type: string; status: string }[]>(pod, 'status', 'conditions')?.find(
        (x) => x.type === 'Ready',
      );
      expect(ready?.status).toBe('True');
      const node = dig<string>(pod, 'spec', 'nodeName') ?? '';
      perNode.set(node, (perNode.get(node) ?? 0) + 4);
    }
    // Packed as planned (20 instances per node, 1 node needed): all 80 vCPUs on one 80-vCPU fake node.
    expect([...perNode.values()]).toEqual([80]);
    expect(['node-a', 'node-b']).toContain([...perNode.keys()][0]);
    const isvc = await isvcStatus(cluster, NS, NAME);
    const d = await deployment();
    expect(dig(d, 'metadata', 'ownerReferences', 0)).toMatchObject({
      kind: 'InferenceService',
      name: NAME,
      uid: dig(isvc?.raw, 'metadata', 'uid'),
      controller: true,
    });
    expect(isvc?.conditions.PlanFits?.status).toBe('True');
    expect(dig(isvc?.raw, 'status', 'endpoints')).toEqual({
      grpc: `${NAME}.${NS}.svc:9000`,
      rest: `http://${NAME}.${NS}.svc:8000`,
    });
    const events = await cluster.kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      `involvedObject.name=${NAME}`,
    ]);
    expect(events).toMatch(/DeploymentCreated/);
  });

  it('printer columns show the plan', async () => {
    const table = await cluster.kubectl(['get', 'ovis', NAME, '-n', NS]);
    const [header, row] = table.trim().split('\n');
    const cells = (line = '') => line.trim().split(/\s{2,}/);
    const byColumn = Object.fromEntries(cells(header).map((h, i) => [h, cells(row)[i]]));
    expect(byColumn).toMatchObject({
      NAME,
      OBJECTIVE: 'throughput',
      REPLICAS: '20',
      READY: '20',
      'VCPU/INSTANCE': '4',
    });
  });

  it('reconciling again changes nothing: no API writes over several resyncs', async () => {
    const writes = () => op.metric('ovfleet_api_writes_total', {}, { resource: 'leases' });
    // Let the last status updates of the rollout settle first.
    let previous = -1;
    await eventually(
      'writes to settle',
      async () => {
        const now = await writes();
        const settled = now === previous;
        previous = now;
        return settled;
      },
      30_000,
      2_500,
    );
    const writesBefore = await writes();
    const reconcilesBefore = await op.metric('ovfleet_reconcile_total');
    await eventually(
      'three more reconciles (resync every 2 s)',
      async () => (await op.metric('ovfleet_reconcile_total')) >= reconcilesBefore + 3,
    );
    expect(await writes()).toBe(writesBefore);
  });

  it('changing the objective rolls the Deployment to the new plan (latency: 1 × 80 vCPU, 40 threads)', async () => {
    await patchSpec({ objective: 'latency' });
    const d = await eventually('the Deployment to carry the latency plan', async () => {
      const d = await deployment();
      return dig(d, 'spec', 'replicas') === 1 ? d : undefined;
    });
    expect(env(container(d), 'OMP_NUM_THREADS')).toBe('40');
    expect(container(d).resources?.limits?.cpu).toBe('80');
    await eventually('Ready on the new generation', () => readyAtGeneration(), 120_000);
    await eventually('one pod left', async () => (await pods()).length === 1, 60_000);
  });

  it('changing the budget rolls the Deployment to the new plan (40 vCPU → 10 × 4)', async () => {
    await patchSpec({ objective: 'throughput', budget: { vcpus: 40 } });
    await eventually('10 replicas of 4 vCPU', async () => {
      const d = await deployment();
      return dig(d, 'spec', 'replicas') === 10 && container(d).resources?.limits?.cpu === '4';
    });
    await eventually('Ready on the new generation', () => readyAtGeneration(), 120_000);
  });

  it('reverts a manual edit of the owned Deployment (replicas, env)', async () => {
    const c = container(await deployment());
    await cluster.kubectl(['scale', 'deployment', NAME, '-n', NS, '--replicas=3']);
    await cluster.kubectl(['set', 'env', `deployment/${NAME}`, '-n', NS, '-c', c.name, 'OMP_NUM_THREADS=99']);
    await eventually('replicas and env restored', async () => {
      const d = await deployment();
      return dig(d, 'spec', 'replicas') === 10 && env(container(d), 'OMP_NUM_THREADS') === '4';
    });
  });

  it('kubectl scale inferenceservice works through the scale subresource', async () => {
    await cluster.kubectl(['scale', `inferenceservice/${NAME}`, '-n', NS, '--replicas=5']);
    const isvc = await getJson(cluster, ['inferenceservice', NAME, '-n', NS]);
    expect(dig(isvc, 'spec', 'overrides', 'replicas')).toBe(5);
    await eventually('5 replicas', async () => dig(await deployment(), 'spec', 'replicas') === 5);
    await eventually(
      'status.replicas 5 and Ready',
      async () => {
        const s = await isvcStatus(cluster, NS, NAME);
        return dig(s?.raw, 'status', 'replicas') === 5 && (await readyAtGeneration());
      },
      120_000,
    );
    const scale = await getJson(cluster, ['--subresource=scale', 'inferenceservice', NAME, '-n', NS]);
    expect(dig(scale, 'status', 'replicas')).toBe(5);
    expect(dig(scale, 'status', 'selector')).toContain(SELECTOR);
  });

  it('a budget no node can hold: PlanFits=False with a reason, a Warning Event, and no pods', async () => {
    const big = example('throughput.yaml', NS, 'too-big');
    big.spec.objective = 'latency';
    big.spec.budget = { vcpus: 160 };
    big.spec.overrides = { vcpusPerInstance: 160 };
    await applyObject(cluster, big);
    const s = await waitForCondition(cluster, NS, 'too-big', 'PlanFits', 'False');
    expect(s.conditions.PlanFits?.message).toMatch(/160/);
    expect(s.conditions.Ready?.status).toBe('False');
    expect(s.conditions.Degraded).toMatchObject({ status: 'True', reason: 'PlanDoesNotFit' });
    const events = await cluster.kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'involvedObject.name=too-big',
    ]);
    expect(events).toMatch(/Warning\s+PlanDoesNotFit/);
    expect(await getJson(cluster, ['deployment', 'too-big', '-n', NS])).toBeUndefined();
    const table = await cluster.kubectl(['get', 'ovis', 'too-big', '-n', NS, '-o', 'wide']);
    expect(table).toMatch(/false/);
  });

  it('deleting the InferenceService garbage-collects its Deployment, Service, PDB and pods', async () => {
    await cluster.kubectl(['delete', 'inferenceservice', NAME, '-n', NS, '--wait=true', '--timeout=60s']);
    await eventually(
      'children gone',
      async () => {
        const left = await Promise.all([
          getJson(cluster, ['deployment', NAME, '-n', NS]),
          getJson(cluster, ['service', NAME, '-n', NS]),
          getJson(cluster, ['poddisruptionbudget', NAME, '-n', NS]),
        ]);
        return left.every((x) => x === undefined) && (await pods()).length === 0;
      },
      90_000,
    );
  });
});
