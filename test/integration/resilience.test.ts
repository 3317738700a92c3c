import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
} from './support/kube.ts';
import { OperatorProcess } from './support/operator-process.ts';

// Crashes, restarts and a second replica: the operator converges, loses nothing, and never writes
// from two processes at once.

const NS = 'it-resilience';
let cluster: Cluster;
const running: OperatorProcess[] = [];

async function start(
  options: Partial<Parameters<typeof OperatorProcess.start>[0]> = {},
): Promise<OperatorProcess> {
  const op = await OperatorProcess.start({ kubeconfig: cluster.kubeconfigPath, namespace: NS, ...options });
  running.push(op);
  return op;
}

/** A small throughput service: `vcpus` budget → vcpus/4 pods. */
function small(name: string, vcpus = 8): Json {
  const doc = example('throughput.yaml', NS, name);
  doc.spec.budget = { vcpus };
  return doc;
}

async function items(kind: string, selector?: string): Promise<Json[]> {
  const args = [kind, '-n', NS, ...(selector ? ['-l', selector] : [])];
  return (await getJson<{ items: Json[] }>(cluster, args))?.items ?? [];
}

async function allReady(names: readonly string[]): Promise<boolean> {
  for (const name of names) {
    const s = await isvcStatus(cluster, NS, name);
    if (s?.conditions.Ready?.status !== 'True') return false;
    if (dig(s.raw, 'status', 'observedGeneration') !== dig(s.raw, 'metadata', 'generation')) return false;
  }
  return true;
}

beforeAll(async () => {
  cluster = sharedCluster();
  await installCrd(cluster);
  await createNamespace(cluster, NS);
  await createModelVolume(cluster, NS);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((op) => op.stop()));
});

afterAll(async () => {
  await cluster?.kubectlResult(['delete', 'namespace', NS, '--wait=false']);
});

describe('operator resilience', () => {
  it('killed mid-reconcile and restarted, it converges with no duplicates', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `crash-${i}`);
    const first = await start({ args: ['--workers=1'] }); // one at a time: the kill lands mid-way
    await first.ready();
    await applyObject(cluster, { apiVersion: 'v1', kind: 'List', items: names.map((n) => small(n)) });
    // Kill it (SIGKILL: no cleanup) as soon as it has started writing children, i.e. mid-work.
    await eventually('the first Deployment', async () => (await items('deployments')).length > 0, 30_000, 50);
    await first.kill();
    const applied = (await items('deployments')).length;
    const second = await start();
    await second.ready();
    await eventually('every InferenceService Ready', () => allReady(names), 180_000);
    expect(applied).toBeLessThan(names.length); // it really was killed with work left
    const deployments = await items('deployments');
    expect(deployments.map((d) => dig(d, 'metadata', 'name')).sort()).toEqual([...names].sort());
    for (const name of names) {
      const replicaSets = await items('replicasets', `app.kubernetes.io/instance=${name}`);
      expect(replicaSets, name).toHaveLength(1);
      const pods = await items('pods', `app.kubernetes.io/instance=${name}`);
      expect(pods, name).toHaveLength(2);
    }
    expect((await items('services')).length).toBe(names.length);
  });

  it('restarting the API server loses no update', async () => {
    const op = await start();
    await op.ready();
    await applyObject(cluster, small('survivor', 8));
    await eventually('survivor Ready', () => allReady(['survivor']), 120_000);
    const failuresBefore = await op.metric('ovfleet_watch_failures_total');
    await cluster.restartApiServer();
    // The first write after the restart must reach the operator through its re-established watch.
    await cluster.kubectl([
      'patch',
      'inferenceservice',
      'survivor',
      '-n',
      NS,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { budget: { vcpus: 16 } } }),
    ]);
    await eventually(
      'the Deployment to follow the new budget',
      async () => {
        const d = await getJson(cluster, ['deployment', 'survivor', '-n', NS]);
        return dig(d, 'spec', 'replicas') === 4;
      },
      120_000,
    );
    await eventually('survivor Ready again', () => allReady(['survivor']), 120_000);
    expect(await op.metric('ovfleet_watch_failures_total')).toBeGreaterThan(failuresBefore);
  });

  it('with two operator processes only the leader writes, and the standby takes over on shutdown', async () => {
    const lease = { leaderElect: true, leaseNamespace: NS };
    const a = await start({ ...lease, identity: 'op-a' });
    await a.ready();
    await eventually('op-a to lead', async () => (await a.metric('ovfleet_leader')) === 1, 30_000);
    const b = await start({ ...lease, identity: 'op-b' });
    await b.ready();
    await applyObject(cluster, small('elected', 8));
    await eventually('elected Ready', () => allReady(['elected']), 120_000);
    const nonLease = { resource: 'leases' };
    expect(await a.metric('ovfleet_api_writes_total', {}, nonLease)).toBeGreaterThan(0);
    expect(await b.metric('ovfleet_api_writes_total')).toBe(0);
    expect(await b.metric('ovfleet_leader')).toBe(0);
    const held = await getJson(cluster, ['lease', 'ovfleet-operator', '-n', NS]);
    expect(dig(held, 'spec', 'holderIdentity')).toBe('op-a');

    expect(await a.stop()).toBe(0);
    await eventually('op-b to take over', async () => (await b.metric('ovfleet_leader')) === 1, 15_000, 250);
    await cluster.kubectl([
      'patch',
      'inferenceservice',
      'elected',
      '-n',
      NS,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { budget: { vcpus: 12 } } }),
    ]);
    await eventually(
      'the new leader applies the change',
      async () => {
        const d = await getJson(cluster, ['deployment', 'elected', '-n', NS]);
        return dig(d, 'spec', 'replicas') === 3;
      },
      60_000,
    );
    expect(await b.metric('ovfleet_api_writes_total', {}, nonLease)).toBeGreaterThan(0);
  });
});
