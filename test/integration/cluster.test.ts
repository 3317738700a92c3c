import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../cluster/command.ts';
import { type Cluster, startCluster } from '../cluster/harness.ts';
import { sharedCluster } from '../cluster/use-cluster.ts';

// Smoke test of the local control plane itself (test/cluster): what the operator's integration tests
// and `make demo` rely on.

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { nodeName?: string };
    status: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
  }[];
}

const NS = 'cluster-smoke';
let cluster: Cluster;

async function podsWithLabel(selector: string): Promise<PodList['items']> {
  const out = await cluster.kubectl(['get', 'pods', '-n', NS, '-l', selector, '-o', 'json']);
  return (JSON.parse(out) as PodList).items;
}

function vpuPod(name: string, vpus: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'vpu-smoke' } },
    spec: {
      containers: [
        {
          name: 'server',
          image: 'ovfleet/none:0',
          resources: {
            requests: { cpu: '1', 'ovfleet.io/vpu': String(vpus) },
            limits: { 'ovfleet.io/vpu': String(vpus) },
          },
        },
      ],
    },
  });
}

beforeAll(async () => {
  cluster = sharedCluster();
  await cluster.kubectl(['create', 'namespace', NS]);
});

afterAll(async () => {
  await cluster.kubectlResult(['delete', 'namespace', NS, '--wait=false']);
});

describe('local control plane', () => {
  it('serves the pinned Kubernetes release with RBAC enforced', async () => {
    const version = JSON.parse(await cluster.kubectl(['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string; major: string; minor: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(version.serverVersion.major).toBe('1');

    const admin = await cluster.kubectlResult(['auth', 'can-i', 'create', 'deployments', '-n', NS]);
    expect(admin.stdout.trim()).toBe('yes');
    const stranger = await cluster.kubectlResult([
      'auth',
      'can-i',
      'list',
      'pods',
      '-n',
      NS,
      `--as=system:serviceaccount:${NS}:nobody`,
    ]);
    expect(stranger.stdout.trim()).toBe('no');
    expect(stranger.code).not.toBe(0);
  });

  it('registers two Ready 80-vCPU fake nodes, node-b with 8 VPUs', async () => {
    const nodes = JSON.parse(await cluster.kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: {
        metadata: { name: string; labels: Record<string, string> };
        status: { allocatable: Record<string, string>; conditions: { type: string; status: string }[] };
      }[];
    };
    const byName = new Map(nodes.items.map((n) => [n.metadata.name, n]));
    expect([...byName.keys()].sort()).toEqual(['node-a', 'node-b']);
    for (const node of byName.values()) {
      expect(node.status.allocatable.cpu).toBe('80');
      expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
    expect(byName.get('node-b')?.status.allocatable['ovfleet.io/vpu']).toBe('8');
    expect(byName.get('node-b')?.metadata.labels['ovfleet.io/vpu']).toBe('true');
    expect(byName.get('node-a')?.status.allocatable['ovfleet.io/vpu']).toBeUndefined();
  });

  it("runs a Deployment's pods to Ready on the fake nodes", async () => {
    await cluster.kubectl([
      'create',
      'deployment',
      'smoke',
      '-n',
      NS,
      '--image=ovfleet/none:0',
      '--replicas=3',
    ]);
    await cluster.kubectl(['rollout', 'status', 'deployment/smoke', '-n', NS, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const pods = await podsWithLabel('app=smoke');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(['node-a', 'node-b']).toContain(pod.spec.nodeName);
    }

    await cluster.kubectl(['scale', 'deployment/smoke', '-n', NS, '--replicas=1']);
    await cluster.kubectl(['rollout', 'status', 'deployment/smoke', '-n', NS, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    await expect.poll(async () => (await podsWithLabel('app=smoke')).length, { timeout: 60_000 }).toBe(1);

    // Deleting the Deployment leaves its ReplicaSet and pods to the garbage collector.
    await cluster.kubectl(['delete', 'deployment/smoke', '-n', NS, '--cascade=background']);
    await expect.poll(async () => (await podsWithLabel('app=smoke')).length, { timeout: 60_000 }).toBe(0);
  });

  it('schedules VPU requests only onto node-b and only up to its 8 VPUs', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: vpuPod('vpu-first', 8) });
    await cluster.kubectl(['wait', '--for=condition=Ready', 'pod/vpu-first', '-n', NS, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const [first] = await podsWithLabel('app=vpu-smoke');
    expect(first?.spec.nodeName).toBe('node-b');

    await cluster.kubectl(['apply', '-f', '-'], { input: vpuPod('vpu-second', 1) });
    await expect
      .poll(
        async () => {
          const pods = await podsWithLabel('app=vpu-smoke');
          const second = pods.find((p) => p.metadata.name === 'vpu-second');
          return second?.status.conditions?.find((c) => c.type === 'PodScheduled')?.reason;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe('Unschedulable');
  });

  it('keeps its objects across an API server restart', async () => {
    await cluster.kubectl(['create', 'configmap', 'survivor', '-n', NS, '--from-literal=k=v']);
    await cluster.restartApiServer();
    const value = await cluster.kubectl([
      'get',
      'configmap',
      'survivor',
      '-n',
      NS,
      '-o',
      'jsonpath={.data.k}',
    ]);
    expect(value).toBe('v');
  });
});

describe('teardown', () => {
  it('leaves no process and no directory behind', async () => {
    const own = await startCluster({ nodes: [] });
    const pids = own.pids();
    expect(pids).toHaveLength(5);
    await own.stop();
    expect(existsSync(own.dir)).toBe(false);
    // Asked of a separate process (ps), so that nothing this worker holds can hide a survivor; any
    // member of the components' process groups counts, zombies excepted.
    const ps = await runCommand(['ps', '-e', '-o', 'pid=,pgid=,stat=,comm=']);
    const alive = ps.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, pgid, stat]) => pids.includes(Number(pgid)) && !stat?.startsWith('Z'));
    expect(alive).toEqual([]);
  });
});
