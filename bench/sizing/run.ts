// make bench-sizing: on this machine's CPU budget, sweep instances × threads × streams × nireq ×
// workers for the PP-OCR classification model, find the best throughput and the best latency, and
// compare them with what `ovfleet plan` chooses for the same budget. The best candidates and the
// plan's are measured again side by side at the end; plan efficiency comes from that second pass.
//
//   node bench/sizing/run.ts [--interval-ms 1500] [--concurrency 8]
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { type BenchEnvironment, readBenchEnvironment } from '../common/environment.ts';
import { benchLogger } from '../common/logger.ts';
import { runCommand } from '../common/processes.ts';
import { checkTarget, formatTargets, hostFacts, writeResult } from '../common/results.ts';
import { ratio } from '../common/stats.ts';
import { formatTable } from '../common/table.ts';
import { threadsPerCore } from '../common/topology.ts';
import { BENCH_MODELS, prepareModel } from '../server/models.ts';
import { measureLoad } from '../server/perf-analyzer.ts';
import { type RunningSystem, startOvfleet } from '../server/systems.ts';
import {
  type Candidate,
  candidateKey,
  cpuList,
  enumerateCandidates,
  OBJECTIVES,
  type Objective,
  ovProperties,
  type PlanJson,
  planJsonSchema,
  planToCandidate,
  ruleDifferences,
} from './candidates.ts';

const CLI = fileURLToPath(new URL('../../bin/ovfleet.js', import.meta.url));
const MODEL = BENCH_MODELS.cls;

interface Measurement {
  readonly key: string;
  readonly candidate: Candidate;
  readonly pass: 'sweep' | 'recheck';
  /** Sum over instances at the total concurrency, split evenly between them. */
  readonly throughput: number;
  /** p50 at concurrency 1 against one instance. */
  readonly p50Ms: number;
  readonly p99AtLoadMs: number;
}

interface Context {
  readonly env: BenchEnvironment;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly repository: string;
  readonly intervalMs: number;
  readonly concurrency: number;
}

async function plan(ctx: Context, objective: Objective, vcpus: number, tpc: number): Promise<PlanJson> {
  const args = [
    CLI,
    'plan',
    '--vcpus',
    String(vcpus),
    '--node-vcpus',
    String(vcpus),
    '--threads-per-core',
    String(tpc),
    '--objective',
    objective,
    '-o',
    'json',
  ];
  const r = await runCommand(process.execPath, args, {
    env: ctx.env.childEnv,
    logger: ctx.logger,
    timeoutMs: 60_000,
    signal: ctx.signal,
  });
  if (r.code !== 0) throw new Error(`ovfleet plan failed: ${r.stderr}`);
  return planJsonSchema.parse(JSON.parse(r.stdout));
}

async function measure(ctx: Context, candidate: Candidate, pass: Measurement['pass']): Promise<Measurement> {
  const started: RunningSystem[] = [];
  try {
    for (let i = 0; i < candidate.instances; i++) {
      started.push(
        await startOvfleet(
          MODEL,
          ctx.repository,
          { properties: ovProperties(candidate), nireq: candidate.nireq, workers: candidate.workers },
          {
            env: ctx.env.childEnv,
            logger: ctx.logger,
            signal: ctx.signal,
            ...(candidate.instances > 1 ? { cpus: cpuList(candidate, i) } : {}),
          },
        ),
      );
    }
    const load = (system: RunningSystem, concurrency: number) =>
      measureLoad({
        perfAnalyzer: ctx.env.perfAnalyzer,
        model: MODEL.name,
        url: system.grpcUrl,
        protocol: 'grpc',
        concurrency,
        measurementIntervalMs: ctx.intervalMs,
        env: ctx.env.childEnv,
        logger: ctx.logger,
        signal: ctx.signal,
      });
    const perInstance = Math.max(1, Math.round(ctx.concurrency / candidate.instances));
    const loaded = await Promise.all(started.map((s) => load(s, perInstance)));
    const first = started[0];
    if (!first) throw new Error('no instance started');
    const single = await load(first, 1);
    const m: Measurement = {
      key: candidateKey(candidate),
      candidate,
      pass,
      throughput: loaded.reduce((a, p) => a + p.throughput, 0),
      p50Ms: single.p50Ms,
      p99AtLoadMs: Math.max(...loaded.map((p) => p.p99Ms)),
    };
    ctx.logger.info(
      { config: m.key, pass, throughput: Math.round(m.throughput), p50Ms: m.p50Ms },
      'measured',
    );
    return m;
  } finally {
    await Promise.all(started.map((s) => s.service.stop()));
  }
}

const better: Record<Objective, (a: Measurement, b: Measurement) => boolean> = {
  throughput: (a, b) => a.throughput > b.throughput,
  latency: (a, b) => a.p50Ms < b.p50Ms,
};

/** Plan efficiency = the plan's result / the best result (for latency: best p50 / plan p50). */
const efficiency: Record<Objective, (planned: Measurement, best: Measurement) => number | null> = {
  throughput: (planned, best) => ratio(planned.throughput, best.throughput),
  latency: (planned, best) => ratio(best.p50Ms, planned.p50Ms),
};

/** The mean of repeated measurements of one candidate. */
function meanOf(ms: readonly Measurement[]): Measurement {
  const [first] = ms;
  if (!first) throw new Error('nothing measured');
  const mean = (f: (m: Measurement) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
  return {
    ...first,
    throughput: mean((m) => m.throughput),
    p50Ms: mean((m) => m.p50Ms),
    p99AtLoadMs: mean((m) => m.p99AtLoadMs),
  };
}

function bestOf(ms: readonly Measurement[], objective: Objective): Measurement {
  const [first, ...rest] = ms;
  if (!first) throw new Error('nothing measured');
  return rest.reduce((b, m) => (better[objective](m, b) ? m : b), first);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'interval-ms': { type: 'string', default: '1500' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const logger = benchLogger('sizing');
  const aborter = new AbortController();
  process.once('SIGINT', () => aborter.abort());
  const startedAt = new Date().toISOString();
  const vcpus = availableParallelism();
  const tpc = await threadsPerCore();
  const work = await mkdtemp(join(tmpdir(), 'ovfleet-bench-sizing-'));
  try {
    await prepareModel(MODEL, work);
    const ctx: Context = {
      env: readBenchEnvironment(),
      logger,
      signal: aborter.signal,
      repository: join(work, MODEL.name),
      intervalMs: Number(values['interval-ms']),
      concurrency: Number(values.concurrency),
    };
    const plans = {
      throughput: await plan(ctx, 'throughput', vcpus, tpc),
      latency: await plan(ctx, 'latency', vcpus, tpc),
    };
    const candidates = enumerateCandidates(vcpus);
    for (const o of OBJECTIVES) {
      const c = planToCandidate(plans[o]);
      if (!candidates.some((k) => candidateKey(k) === candidateKey(c))) candidates.push(c);
    }
    logger.info({ vcpus, threadsPerCore: tpc, candidates: candidates.length }, 'sweeping');
    const sweep: Measurement[] = [];
    for (const c of candidates) sweep.push(await measure(ctx, c, 'sweep'));

    // Second pass, side by side: the plan's candidate and the sweep's best, in the order A B B A so
    // that a drift in the machine's load hits both alike; each is the mean of its two measurements.
    const recheck: Measurement[] = [];
    const outcome = [];
    for (const o of OBJECTIVES) {
      const best = bestOf(sweep, o);
      const planned = planToCandidate(plans[o]);
      const same = candidateKey(best.candidate) === candidateKey(planned);
      const order = same ? [planned, planned] : [planned, best.candidate, best.candidate, planned];
      const runs: Measurement[] = [];
      for (const c of order) runs.push(await measure(ctx, c, 'recheck'));
      recheck.push(...runs);
      const plannedAgain = meanOf(runs.filter((m) => m.key === candidateKey(planned)));
      const bestAgain = same
        ? plannedAgain
        : meanOf(runs.filter((m) => m.key === candidateKey(best.candidate)));
      // The recheck may reorder the two; the better of the pair is the best this run found.
      const winner = better[o](plannedAgain, bestAgain) ? plannedAgain : bestAgain;
      outcome.push({
        objective: o,
        plan: plannedAgain,
        best: winner,
        efficiency: efficiency[o](plannedAgain, winner),
        differences: ruleDifferences(plans[o], winner.candidate),
      });
    }

    const targets = outcome.map((x) => {
      const lost = x.efficiency !== null && x.efficiency < 0.9;
      const diffs = x.differences
        .map((d) => `${d.field}: plan ${d.planValue}, best ${d.bestValue} (plan's rule: "${d.planReason}")`)
        .join('; ');
      const note =
        x.differences.length === 0
          ? 'the plan is the best candidate'
          : `${lost ? 'rule(s) to fix' : 'best differs but within 10%'} — ${diffs}`;
      return checkTarget(
        `plan efficiency (${x.objective}): ${x.plan.key} vs best ${x.best.key}`,
        0.9,
        x.efficiency,
        { note },
      );
    });
    const file = await writeResult({
      bench: 'sizing',
      startedAt,
      finishedAt: new Date().toISOString(),
      host: hostFacts(),
      settings: {
        model: MODEL.name,
        shape: MODEL.shape,
        vcpus,
        threadsPerCore: tpc,
        concurrency: ctx.concurrency,
        intervalMs: ctx.intervalMs,
        plans: { throughput: planToCandidate(plans.throughput), latency: planToCandidate(plans.latency) },
      },
      rows: [...sweep, ...recheck].map((m) => ({ ...m, candidate: { ...m.candidate } })),
      targets,
      notes: [
        `throughput = sum over instances of perf_analyzer gRPC at concurrency ${ctx.concurrency} split evenly; latency = p50 at concurrency 1 against one instance; perf_analyzer runs on the same ${vcpus} vCPUs`,
        'plan efficiency comes from the recheck: plan and best measured A B B A and averaged',
        'latency is measured with one request in flight, so candidates that differ only in nireq or workers cannot differ in latency but by noise',
        ...outcome.map((x) => `${x.objective}: plan ${x.plan.key}, best ${x.best.key}`),
      ],
    });
    const table = formatTable(
      ['config', 'pass', 'infer/s', 'p50@1 ms', `p99@${ctx.concurrency} ms`],
      [...sweep, ...recheck].map((m) => [m.key, m.pass, m.throughput, m.p50Ms, m.p99AtLoadMs]),
    );
    process.stdout.write(`\n${table}\n\ntargets:\n${formatTargets(targets)}\n\nresults: ${file}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
