// make bench-operator: on the local control plane (test/cluster), `ovfleet run` against 200 and
// 1,000 InferenceServices: time from apply to all Ready, reconcile latency (p50/p99) of a spec change
// to every service under that load, the operator's peak RSS and its API writes per reconcile.
//
//   node bench/operator/run.ts [--counts 200,1000] [--timeout-s 600]
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Cluster, type FakeNodeSpec, startCluster } from '../../test/cluster/harness.ts';
import { childEnvironment } from '../common/environment.ts';
import { benchLogger } from '../common/logger.ts';
import { freePort, type Service, startService, waitForHttp } from '../common/processes.ts';
import { formatTargets, hostFacts, type Target, writeResult } from '../common/results.ts';
import { round, summarize } from '../common/stats.ts';
import { formatTable } from '../common/table.ts';
import { serviceList, sumMetric } from './services.ts';
import { ServiceTracker } from './tracker.ts';

const CLI = fileURLToPath(new URL('../../bin/ovfleet.js', import.meta.url));
const CRD = fileURLToPath(new URL('../../crds/inferenceservices.ovfleet.io.yaml', import.meta.url));
const APPLY_CHUNK = 100;

interface Operator {
  readonly service: Service;
  readonly url: string;
}

async function startOperator(cluster: Cluster, env: NodeJS.ProcessEnv, logger: Logger): Promise<Operator> {
  const port = await freePort();
  const service = startService(
    process.execPath,
    [
      CLI,
      'run',
      `--kubeconfig=${cluster.kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--metrics-port=${port}`,
      `--health-port=${port}`,
      '--log-level=warn',
    ],
    { env, logger },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, service, 60_000);
  return { service, url };
}

async function metrics(op: Operator): Promise<{ writes: number; reconciles: number }> {
  const text = await (await fetch(`${op.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return {
    writes: sumMetric(text, 'ovfleet_api_writes_total'),
    reconciles: sumMetric(text, 'ovfleet_reconcile_total'),
  };
}

/** Peak resident set (VmHWM) of a process, in MiB; null when /proc cannot tell. */
async function peakRssMiB(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

async function applyAll(
  cluster: Cluster,
  namespace: string,
  count: number,
  signal: AbortSignal,
  nireq?: number,
): Promise<void> {
  for (let from = 0; from < count; from += APPLY_CHUNK) {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: serviceList(namespace, from, Math.min(count, from + APPLY_CHUNK), nireq),
      signal,
    });
  }
}

interface Row {
  readonly services: number;
  readonly applyToAllReadyS: number | null;
  /** Ready again after the spec change rolled out new pods, seconds from its apply; null past the timeout. */
  readonly changeToAllReadyS: number | null;
  readonly readyAtEnd: number;
  readonly specChangeObserved: number;
  readonly reconcileP50Ms: number | null;
  readonly reconcileP99Ms: number | null;
  readonly writesPerReconcileInitial: number | null;
  readonly writesPerReconcileSpecChange: number | null;
  readonly operatorPeakRssMiB: number | null;
}

async function scenario(
  cluster: Cluster,
  kc: KubeConfig,
  op: Operator,
  count: number,
  timeoutMs: number,
  logger: Logger,
  signal: AbortSignal,
): Promise<Row> {
  const namespace = `bench-${count}`;
  await cluster.kubectl(['create', 'namespace', namespace], { signal });
  const tracker = new ServiceTracker(logger);
  await tracker.start(kc, namespace);
  try {
    const m0 = await metrics(op);
    const t0 = performance.now();
    await applyAll(cluster, namespace, count, signal);
    const allReady = await tracker.until(() => tracker.readyCount() >= count, timeoutMs, signal);
    const applyToAllReadyS = allReady ? (performance.now() - t0) / 1000 : null;
    logger.info({ count, applyToAllReadyS, ready: tracker.readyCount() }, 'apply → Ready');
    await new Promise((r) => setTimeout(r, 3000)); // let trailing status writes land
    const m1 = await metrics(op);
    // The spec change: pin nireq on every service (generation 1 → 2), under the load of all of them.
    const t1 = performance.now();
    await applyAll(cluster, namespace, count, signal, 2);
    await tracker.until(() => tracker.observedCount(2) >= count, timeoutMs, signal);
    await new Promise((r) => setTimeout(r, 3000));
    const m2 = await metrics(op);
    // The change rolls out new pods (the pod template changed): Ready drops, then returns.
    const rolledOut = await tracker.until(() => tracker.readyCount() >= count, timeoutMs, signal);
    const changeToAllReadyS = rolledOut ? (performance.now() - t1) / 1000 : null;
    const latency = summarize(tracker.reconcileLatenciesMs(2));
    const perReconcile = (
      a: { writes: number; reconciles: number },
      b: { writes: number; reconciles: number },
    ) => (b.reconciles > a.reconciles ? round((b.writes - a.writes) / (b.reconciles - a.reconciles)) : null);
    return {
      services: count,
      applyToAllReadyS: applyToAllReadyS === null ? null : round(applyToAllReadyS, 1),
      changeToAllReadyS: changeToAllReadyS === null ? null : round(changeToAllReadyS, 1),
      readyAtEnd: tracker.readyCount(),
      specChangeObserved: tracker.observedCount(2),
      reconcileP50Ms: latency.count ? round(latency.p50Ms, 1) : null,
      reconcileP99Ms: latency.count ? round(latency.p99Ms, 1) : null,
      writesPerReconcileInitial: perReconcile(m0, m1),
      writesPerReconcileSpecChange: perReconcile(m1, m2),
      operatorPeakRssMiB: await peakRssMiB(op.service.child.pid),
    };
  } finally {
    tracker.stop();
  }
}

function fakeNodes(maxServices: number): FakeNodeSpec[] {
  const count = Math.ceil(maxServices / 100) + 1;
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-node-${i}`,
    cpu: 128,
    memory: '1024Gi',
    pods: 110,
    extendedResources: {},
    labels: {},
  }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      counts: { type: 'string', default: '200,1000' },
      'timeout-s': { type: 'string', default: '600' },
    },
  });
  const counts = values.counts.split(',').map(Number);
  const timeoutMs = Number(values['timeout-s']) * 1000;
  const logger = benchLogger('operator');
  const aborter = new AbortController();
  process.once('SIGINT', () => aborter.abort());
  const env = childEnvironment();
  const startedAt = new Date().toISOString();
  const cluster = await startCluster({
    logger,
    nodes: fakeNodes(Math.max(...counts)),
    signal: aborter.signal,
    timeoutMs: 300_000,
  });
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    logger.info({ startMs: cluster.startMs }, 'control plane ready');
    await cluster.kubectl(['apply', '-f', CRD]);
    await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/inferenceservices.ovfleet.io',
      '--timeout=60s',
    ]);
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    const op = await startOperator(cluster, env, logger);
    try {
      for (const count of counts) {
        const row = await scenario(cluster, kc, op, count, timeoutMs, logger, aborter.signal);
        rows.push(row);
        if (row.applyToAllReadyS === null)
          notes.push(`${count}: not all Ready within ${values['timeout-s']} s (${row.readyAtEnd} were)`);
        // The next scenario runs with these services still present (more load, as in a real cluster).
      }
    } finally {
      await op.service.stop(15_000);
    }
  } finally {
    await cluster.stop();
  }
  const targets: Target[] = [];
  notes.push(
    'reconcile latency: from the watch first seeing generation 2 of a service to its status.observedGeneration reaching 2; every service changed at once',
  );
  notes.push(
    "each scenario runs with the earlier scenarios' services still in the cluster; peak RSS is the operator's VmHWM so far",
  );
  const file = await writeResult({
    bench: 'operator',
    startedAt,
    finishedAt: new Date().toISOString(),
    host: hostFacts(),
    settings: {
      counts,
      timeoutS: Number(values['timeout-s']),
      applyChunk: APPLY_CHUNK,
      controlPlaneStartMs: cluster.startMs,
    },
    rows: rows.map((r) => ({ ...r })),
    targets,
    notes,
  });
  const table = formatTable(
    [
      'services',
      'apply→Ready s',
      'change→Ready s',
      'reconcile p50 ms',
      'p99 ms',
      'writes/reconcile (create)',
      'writes/reconcile (change)',
      'peak RSS MiB',
    ],
    rows.map((r) => [
      r.services,
      r.applyToAllReadyS,
      r.changeToAllReadyS,
      r.reconcileP50Ms,
      r.reconcileP99Ms,
      r.writesPerReconcileInitial,
      r.writesPerReconcileSpecChange,
      r.operatorPeakRssMiB,
    ]),
  );
  process.stdout.write(
    `\n${table}\n\n${notes.map((n) => `  - ${n}`).join('\n')}\n${formatTargets(targets)}\nresults: ${file}\n`,
  );
}

await main();
