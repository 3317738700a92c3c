// Operator scale benchmark (never part of `make test`): apply N InferenceServices at once to a local
// control plane and measure the time from the apply until every one is Ready, and the operator's peak
// RSS (VmHWM of its process). Prints JSON (machine-readable) and a short table.
//   node bench/operator/run.ts [--count 200] [--timeout-s 600]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { type Cluster, type FakeNodeSpec, startCluster } from '../../test/cluster/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: { count: { type: 'string', default: '200' }, 'timeout-s': { type: 'string', default: '600' } },
});
const COUNT = Number(values.count);
const TIMEOUT_MS = Number(values['timeout-s']) * 1000;
const NS = 'bench';
// Each InferenceService gets a 4-vCPU throughput budget → one 4-vCPU pod; these nodes hold them all.
const NODES: FakeNodeSpec[] = Array.from(
  { length: Math.max(2, Math.ceil((COUNT * 4) / 128) + 1) },
  (_, i) => ({
    name: `bench-${i}`,
    cpu: 128,
    memory: '1Ti',
    pods: 110,
    extendedResources: {},
    labels: {},
  }),
);

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function isvc(i: number): unknown {
  const d = parse(readFileSync(join(ROOT, 'examples', 'throughput.yaml'), 'utf8')) as {
    metadata: Record<string, unknown>;
    spec: Record<string, unknown>;
  };
  d.metadata = { name: `svc-${String(i).padStart(3, '0')}`, namespace: NS };
  d.spec.budget = { vcpus: 4 };
  return d;
}

async function readyCount(cluster: Cluster): Promise<number> {
  const list = JSON.parse(await cluster.kubectl(['get', 'ovis', '-n', NS, '-o', 'json'])) as {
    items: { status?: { conditions?: { type: string; status: string }[] } }[];
  };
  return list.items.filter((x) =>
    x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

let cluster: Cluster | undefined;
let op: ChildProcess | undefined;
try {
  console.error(`starting a control plane with ${NODES.length} fake nodes of 128 vCPU`);
  cluster = await startCluster({ logger: pino({ level: 'warn' }), nodes: NODES });
  await cluster.kubectl(['apply', '-f', 'crds/']);
  await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    'crd/inferenceservices.ovfleet.io',
    '--timeout=60s',
  ]);
  await cluster.kubectl(['create', 'namespace', NS]);
  await cluster.kubectl(['apply', '-f', '-'], {
    input: stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: 'bench-models' },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadOnlyMany'],
            storageClassName: '',
            hostPath: { path: '/var/lib/ovfleet-models' },
            claimRef: { namespace: NS, name: 'ocr-models' },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'ocr-models', namespace: NS },
          spec: {
            accessModes: ['ReadOnlyMany'],
            storageClassName: '',
            volumeName: 'bench-models',
            resources: { requests: { storage: '1Gi' } },
          },
        },
      ],
    }),
  });
  const port = await freePort();
  op = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'ovfleet.js'),
      'run',
      `--kubeconfig=${cluster.kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--metrics-port=${port}`,
      `--health-port=${port}`,
      '--log-level=warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pid = op.pid ?? 0;
  for (let i = 0; i < 150; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(200);
  }
  const rssIdle = peakRssMiB(pid);
  console.error(`applying ${COUNT} InferenceServices`);
  const started = Date.now();
  await cluster.kubectl(['apply', '-f', '-'], {
    input: stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: Array.from({ length: COUNT }, (_, i) => isvc(i)),
    }),
    timeoutMs: 300_000,
  });
  const appliedMs = Date.now() - started;
  let ready = 0;
  while (Date.now() - started < TIMEOUT_MS) {
    ready = await readyCount(cluster);
    if (ready === COUNT) break;
    await sleep(1000);
  }
  const allReadyMs = Date.now() - started;
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (name: string) =>
    metrics
      .split('\n')
      .filter((l) => l.startsWith(name) && !l.includes('resource="leases"'))
      .reduce((a, l) => a + Number(l.split(/\s+/).pop()), 0);
  const result = {
    benchmark: 'operator-scale',
    inferenceServices: COUNT,
    ready,
    allReady: ready === COUNT,
    applyMs: appliedMs,
    applyToAllReadyMs: allReadyMs,
    operatorPeakRssMiB: Number(peakRssMiB(pid).toFixed(1)),
    operatorIdleRssMiB: Number(rssIdle.toFixed(1)),
    reconciles: sum('ovfleet_reconcile_total'),
    apiWrites: sum('ovfleet_api_writes_total'),
    nodes: NODES.length,
  };
  console.log(JSON.stringify(result));
  console.error(
    [
      '',
      `InferenceServices        ${COUNT} (${ready} Ready)`,
      `apply → all Ready        ${(allReadyMs / 1000).toFixed(1)} s (kubectl apply itself ${(appliedMs / 1000).toFixed(1)} s)`,
      `operator peak RSS        ${result.operatorPeakRssMiB} MiB (idle ${result.operatorIdleRssMiB} MiB)`,
      `reconciles / API writes  ${result.reconciles} / ${result.apiWrites}`,
    ].join('\n'),
  );
  if (ready !== COUNT) process.exitCode = 1;
} finally {
  if (op && op.exitCode === null) {
    op.kill('SIGTERM');
    await Promise.race([new Promise((r) => op?.once('exit', r)), sleep(15_000)]);
  }
  await cluster?.stop();
}
