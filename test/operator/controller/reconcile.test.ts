import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { childPath } from '../../../operator/controller/apply.ts';
import { desiredState } from '../../../operator/controller/desired-state.ts';
import { EventRecorder } from '../../../operator/controller/events.ts';
import type { Condition, KubeObject, Node } from '../../../operator/controller/kube-types.ts';
import { isvcPath, type ReconcilerDeps, reconcile } from '../../../operator/controller/reconcile.ts';
import { FakeApi } from './fake-api.ts';

const NS = 'team-a';
const NAME = 'ocr-cls';
const ISVC_PATH = isvcPath(NS, NAME);
const logger = pino({ level: 'silent' });

function node(name: string, cpu: string, extra: Record<string, string> = {}): Node {
  const resources = { cpu, memory: '320Gi', pods: '110', ...extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { allocatable: resources, capacity: resources, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}
const NODES = [node('node-a', '80'), node('node-b', '80', { 'ovfleet.io/vpu': '8' })];

function throughputExample(edit: (spec: Record<string, unknown>) => void = () => {}): KubeObject {
  const doc = parse(readFileSync('examples/throughput.yaml', 'utf8')) as KubeObject & {
    spec: Record<string, unknown>;
  };
  doc.metadata = { ...doc.metadata, namespace: NS, name: NAME, uid: 'isvc-uid-1', generation: 1 };
  edit(doc.spec);
  return doc;
}

function setup(isvc: KubeObject, nodes: Node[] = NODES) {
  const api = new FakeApi();
  api.objects.set(ISVC_PATH, isvc);
  const deps: ReconcilerDeps = {
    client: api.client,
    events: new EventRecorder(api.client, 'test', logger),
    desired: desiredState,
    inferenceService: (key) => (key === `${NS}/${NAME}` ? api.objects.get(ISVC_PATH) : undefined),
    child: (kind, ns, name) => api.objects.get(childPath(kind, ns, name)),
    nodes: () => nodes,
    logger,
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  return { api, run: () => reconcile(`${NS}/${NAME}`, deps, new AbortController().signal) };
}

function conditions(api: FakeApi): Record<string, Condition> {
  const status = api.objects.get(ISVC_PATH)?.status as { conditions: Condition[] };
  return Object.fromEntries(status.conditions.map((c) => [c.type, c]));
}

interface DeploymentShape {
  metadata: { ownerReferences: { uid: string; controller: boolean; kind: string }[] };
  spec: {
    replicas: number;
    template: {
      spec: {
        containers: {
          env: { name: string; value: string }[];
          resources: { requests: Record<string, string>; limits: Record<string, string> };
        }[];
      };
    };
  };
  status?: Record<string, number>;
}

function deployment(api: FakeApi): DeploymentShape {
  return api.objects.get(childPath('Deployment', NS, NAME)) as unknown as DeploymentShape;
}

describe('reconcile (fake API server)', () => {
  it('turns the throughput example into 20 × 4-vCPU instances owned by the InferenceService', async () => {
    const { api, run } = setup(throughputExample());
    expect(await run()).toBe('success');
    const d = deployment(api);
    expect(d.spec.replicas).toBe(20);
    const c = d.spec.template.spec.containers[0]!;
    expect(c.resources.requests.cpu).toBe(c.resources.limits.cpu);
    expect(String(c.resources.limits.cpu)).toBe('4');
    expect(c.env.find((e) => e.name === 'OMP_NUM_THREADS')?.value).toBe('4');
    expect(d.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'InferenceService', uid: 'isvc-uid-1', controller: true }),
    ]);
    expect(api.at(childPath('Service', NS, NAME))).toBeDefined();
    expect(api.at(childPath('PodDisruptionBudget', NS, NAME))).toBeDefined();
    const cond = conditions(api);
    expect(cond.PlanFits?.status).toBe('True');
    expect(cond.Ready?.status).toBe('False');
    expect(cond.Progressing?.status).toBe('True');
    const status = api.objects.get(ISVC_PATH)?.status as Record<string, unknown>;
    expect(status.observedGeneration).toBe(1);
    expect(status.plan).toMatchObject({ replicas: 20, vcpusPerInstance: 4, fits: true });
    expect(status.endpoints).toEqual({
      grpc: `${NAME}.${NS}.svc:9000`,
      rest: `http://${NAME}.${NS}.svc:8000`,
    });
    expect(api.events().map((e) => e.reason)).toEqual([
      'DeploymentCreated',
      'ServiceCreated',
      'PodDisruptionBudgetCreated',
    ]);
  });

  it('writes nothing when reconciling an unchanged object again', async () => {
    const { api, run } = setup(throughputExample());
    await run();
    const before = api.writes.length;
    expect(before).toBeGreaterThan(0);
    await run();
    await run();
    expect(api.writes.slice(before)).toEqual([]);
  });

  it('reports Ready once the Deployment has every replica ready, with one status write', async () => {
    const { api, run } = setup(throughputExample());
    await run();
    const d = deployment(api);
    d.status = {
      observedGeneration: 1,
      replicas: 20,
      updatedReplicas: 20,
      readyReplicas: 20,
      availableReplicas: 20,
    };
    const before = api.writes.length;
    await run();
    const writes = api.writes.slice(before);
    expect(writes.map((w) => w.path)).toEqual([`${ISVC_PATH}/status`]);
    const cond = conditions(api);
    expect(cond.Ready).toMatchObject({ status: 'True', reason: 'AllReplicasReady' });
    expect(cond.Progressing?.status).toBe('False');
    expect(cond.Degraded?.status).toBe('False');
    expect(api.objects.get(ISVC_PATH)?.status).toMatchObject({ readyReplicas: 20 });
  });

  it('reverts a manual change of replicas on the Deployment', async () => {
    const { api, run } = setup(throughputExample());
    await run();
    const d = deployment(api) as DeploymentShape & { metadata: { generation?: number } };
    d.spec.replicas = 3;
    // The Deployment controller has settled at 3 (same pod template): scaling back up is safe.
    d.status = {
      observedGeneration: d.metadata.generation ?? 0,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    };
    await run();
    expect(deployment(api).spec.replicas).toBe(20);
  });

  it('a budget no node can hold: PlanFits=False, a Warning Event, and no Deployment', async () => {
    const { api, run } = setup(
      throughputExample((spec) => {
        spec.objective = 'latency';
        spec.budget = { vcpus: 160 };
        spec.overrides = { vcpusPerInstance: 160 };
      }),
    );
    await run();
    expect(api.at(childPath('Deployment', NS, NAME))).toBeUndefined();
    const cond = conditions(api);
    expect(cond.PlanFits?.status).toBe('False');
    expect(cond.PlanFits?.message).toMatch(/node/);
    expect(cond.Degraded).toMatchObject({ status: 'True', reason: 'PlanDoesNotFit' });
    expect(api.events()).toEqual([expect.objectContaining({ type: 'Warning', reason: 'PlanDoesNotFit' })]);
  });

  it('an invalid spec gets InvalidSpec naming the field, and no children', async () => {
    const { api, run } = setup(throughputExample((spec) => (spec.budget = { vcpus: -4 })));
    expect(await run()).toBe('invalid');
    expect(api.at(childPath('Deployment', NS, NAME))).toBeUndefined();
    expect(conditions(api).Degraded).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(conditions(api).Degraded?.message).toContain('spec.budget.vcpus');
  });

  it('HDDL plans against the node that has VPUs, and refuses when none has', async () => {
    const hddl = (spec: Record<string, unknown>) => {
      spec.device = 'HDDL';
      spec.budget = { vcpus: 8, vpus: 8 };
    };
    const withVpus = setup(throughputExample(hddl));
    await withVpus.run();
    expect(conditions(withVpus.api).PlanFits?.status).toBe('True');
    const without = setup(throughputExample(hddl), [node('node-a', '80')]);
    await without.run();
    expect(conditions(without.api).PlanFits).toMatchObject({ status: 'False', reason: 'NoSchedulableNodes' });
    expect(without.api.at(childPath('Deployment', NS, NAME))).toBeUndefined();
  });

  it('refuses to touch a Service that another owner controls', async () => {
    const { api, run } = setup(throughputExample());
    api.objects.set(childPath('Service', NS, NAME), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace: NS, uid: 'someone-else' },
      spec: { ports: [{ name: 'web', port: 80 }] },
    });
    await run();
    expect(api.writes.some((w) => w.path === childPath('Service', NS, NAME))).toBe(false);
    expect(conditions(api).Degraded).toMatchObject({ status: 'True', reason: 'NotOwned' });
    expect(api.events().some((e) => e.reason === 'NotOwned')).toBe(true);
  });

  it('does nothing for an InferenceService that is gone', async () => {
    const { api, run } = setup(throughputExample());
    api.objects.delete(ISVC_PATH);
    expect(await run()).toBe('not_found');
    expect(api.writes).toEqual([]);
  });
});

describe('reconcile: a new instance shape with more replicas', () => {
  it('rolls out the new shape at the current count first, then scales (no proportional scaling of the old shape)', async () => {
    const { api, run } = setup(
      throughputExample((spec) => {
        spec.objective = 'latency';
      }),
    );
    await run();
    const d = deployment(api);
    expect(d.spec.replicas).toBe(1);
    d.status = {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    };
    // The user switches to throughput: 20 × 4 vCPU instead of 1 × 80.
    const isvc = api.objects.get(ISVC_PATH) as KubeObject & { spec: Record<string, unknown> };
    isvc.spec = { ...isvc.spec, objective: 'throughput' };
    isvc.metadata = { ...isvc.metadata, generation: 2 };
    await run();
    const staged = deployment(api);
    expect(staged.spec.replicas).toBe(1);
    expect(staged.spec.template.spec.containers[0]?.resources.limits.cpu).toBe('4');
    expect(conditions(api).Progressing).toMatchObject({ status: 'True', reason: 'RollingOutBeforeScaling' });
    // Not rolled out yet: nothing more happens.
    const before = api.writes.length;
    await run();
    expect(api.writes.length).toBe(before);
    // The Deployment controller finished the new shape at 1 replica: now it grows to 20.
    staged.status = {
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    };
    await run();
    expect(deployment(api).spec.replicas).toBe(20);
  });
});
