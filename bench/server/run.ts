// make bench-server: for each model, ovfleet-server over gRPC, REST (binary) and REST (JSON), the
// KServe peer over gRPC, ovfleet's engine in-process, and benchmark_app — all with the same device
// properties, shape and nireq, all measured in this one run — then ratios, targets, JSON, a table,
// a plot, and a CPU profile of the server under load that shows where its time goes.
//
//   node bench/server/run.ts [--models tiny,cls,det] [--concurrency 1,2,4,8,16] [--no-peer] [--no-profile]
//                            [--placement split|shared]
//
// Placement "split" (the default on a machine with two or more CPUs) pins every system under test to
// the same CPUs and perf_analyzer to the others, so a server and the in-process limit get the same
// CPU budget and the client takes none of it. The serving configuration is what `ovfleet plan`
// chooses for one throughput instance on that budget.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { toSizingInput } from '../../operator/api/sizing-input.ts';
import { sizingSpecSchema } from '../../operator/api/spec.ts';
import { plan } from '../../operator/sizing/index.ts';
import { coresUsedDuring, type ProfileSummary, summarizeCpuProfile } from '../common/cpu.ts';
import { type BenchEnvironment, benchmarkAppPath, readBenchEnvironment } from '../common/environment.ts';
import { benchLogger } from '../common/logger.ts';
import {
  choosePlacement,
  PLACEMENTS,
  type Placement,
  type PlacementKind,
  pinned,
} from '../common/placement.ts';
import { runCommand } from '../common/processes.ts';
import { formatTargets, hostFacts, RESULTS_DIR, writeResult } from '../common/results.ts';
import { threadsPerCore } from '../common/topology.ts';
import { runBenchmarkApp } from './benchmark-app.ts';
import { type InProcessSpec, inProcessPointSchema } from './in-process.ts';
import { BENCH_MODELS, type BenchModel, MODEL_KEYS, type ModelKey, prepareModel } from './models.ts';
import { measureLoad, PROTOCOLS, type Protocol, writeInputData } from './perf-analyzer.ts';
import { plotServerResult } from './plot.ts';
import { describeProfile, profileNote } from './profile.ts';
import { modelRatios, ratiosTable, rowsTable, type ServerRow, type System, serverTargets } from './report.ts';
import { type RunningSystem, type ServingConfig, startOvfleet, startPeer } from './systems.ts';

const SYSTEM_OF: Record<Protocol, System> = {
  grpc: 'ovfleet-grpc',
  'rest-binary': 'ovfleet-rest-binary',
  'rest-json': 'ovfleet-rest-json',
};

/**
 * One configuration for every system: what `ovfleet plan` gives one throughput instance owning the
 * system-under-test's vCPUs (streams, threads, pinning, nireq).
 */
export function servingFor(vcpus: number, threadsPerCore: number): ServingConfig {
  const p = plan(
    toSizingInput(
      sizingSpecSchema.parse({
        objective: 'throughput',
        budget: { vcpus },
        node: { vcpus, threadsPerCore },
        overrides: { replicas: 1, vcpusPerInstance: vcpus },
      }),
    ),
  );
  if (!p.fits)
    throw new Error(
      `ovfleet plan cannot size ${vcpus} vCPUs: ${p.violations.map((v) => v.message).join('; ')}`,
    );
  return { properties: { ...p.ovProperties }, nireq: p.nireq };
}

interface Context {
  readonly env: BenchEnvironment;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly concurrency: readonly number[];
  readonly rows: ServerRow[];
  readonly notes: string[];
  readonly placement: Placement;
  readonly serving: ServingConfig;
}

/** `{ cpus }` when pinned, nothing otherwise (exactOptionalPropertyTypes). */
function cpusOf(cpus: string | undefined): { cpus?: string } {
  return cpus === undefined ? {} : { cpus };
}

async function measureSystem(
  ctx: Context,
  model: BenchModel,
  system: RunningSystem,
  protocols: readonly Protocol[],
  as: (p: Protocol) => System,
  inputData: string,
) {
  for (const protocol of protocols) {
    try {
      await measureProtocol(ctx, model, system, protocol, as, inputData);
    } catch (error: unknown) {
      if (ctx.signal.aborted) throw error;
      const message =
        error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
      ctx.notes.push(`${model.key} ${as(protocol)}: not measured — ${message}`);
      ctx.logger.error({ err: error, model: model.key, system: as(protocol) }, 'measurement failed');
    }
  }
}

async function measureProtocol(
  ctx: Context,
  model: BenchModel,
  system: RunningSystem,
  protocol: Protocol,
  as: (p: Protocol) => System,
  inputData: string,
) {
  for (const concurrency of ctx.concurrency) {
    const {
      value: point,
      cores,
      threads,
    } = await coresUsedDuring(system.service.child.pid, () =>
      measureLoad({
        perfAnalyzer: ctx.env.perfAnalyzer,
        model: model.name,
        url: protocol === 'grpc' ? system.grpcUrl : system.restUrl,
        protocol,
        concurrency,
        measurementIntervalMs: model.measurementIntervalMs,
        inputData,
        env: ctx.env.childEnv,
        logger: ctx.logger,
        signal: ctx.signal,
        ...cpusOf(ctx.placement.clientCpus),
      }),
    );
    ctx.rows.push({
      model: model.key,
      system: as(protocol),
      ...point,
      serverCores: cores,
      serverThreads: threads,
      load1: loadavg()[0] ?? 0,
    });
    ctx.logger.info(
      { model: model.key, system: as(protocol), concurrency, throughput: Math.round(point.throughput) },
      'measured',
    );
  }
}

async function inProcess(ctx: Context, model: BenchModel, modelPath: string): Promise<void> {
  const spec: InProcessSpec = {
    modelPath,
    inputName: model.inputName,
    shape: [...model.shape],
    properties: ctx.serving.properties,
    nireq: ctx.serving.nireq,
    concurrency: [...ctx.concurrency],
    seconds: (model.measurementIntervalMs * 3) / 1000,
  };
  const script = new URL('./in-process.ts', import.meta.url).pathname;
  const [file, args] = pinned(ctx.placement.sutCpus, process.execPath, [script, JSON.stringify(spec)]);
  const result = await runCommand(file, args, {
    env: ctx.env.childEnv,
    logger: ctx.logger,
    timeoutMs: 600_000,
    signal: ctx.signal,
  });
  if (result.code !== 0) throw new Error(`in-process loop failed:\n${result.stderr.slice(-3000)}`);
  for (const line of result.stdout.trim().split('\n')) {
    const p = inProcessPointSchema.parse(JSON.parse(line));
    ctx.rows.push({
      model: model.key,
      system: 'in-process',
      concurrency: p.concurrency,
      throughput: p.throughput,
      p50Ms: p.p50Ms,
      p90Ms: p.p90Ms,
      p99Ms: p.p99Ms,
      serverCores: p.cores,
      load1: loadavg()[0] ?? 0,
    });
  }
}

async function benchmarkApp(ctx: Context, model: BenchModel, modelPath: string): Promise<void> {
  // Only at the serving nireq: benchmark_app turns -nireq into PERFORMANCE_HINT_NUM_REQUESTS, which
  // with the THROUGHPUT hint may change the stream count — another nireq would be another configuration.
  for (const nireq of [ctx.serving.nireq]) {
    const r = await runBenchmarkApp({
      benchmarkApp: benchmarkAppPath(ctx.env),
      modelPath,
      shape: model.shape,
      properties: ctx.serving.properties,
      nireq,
      seconds: 4,
      env: ctx.env.childEnv,
      logger: ctx.logger,
      signal: ctx.signal,
      ...cpusOf(ctx.placement.sutCpus),
    });
    ctx.rows.push({
      model: model.key,
      system: 'benchmark_app',
      concurrency: nireq,
      throughput: r.throughput,
      p50Ms: r.medianMs,
      p90Ms: null,
      p99Ms: null,
      serverCores: null,
      load1: loadavg()[0] ?? 0,
    });
  }
}

async function profileServer(
  ctx: Context,
  model: BenchModel,
  repository: string,
  dir: string,
  inputData: string,
): Promise<ProfileSummary | undefined> {
  const system = await startOvfleet(model, repository, ctx.serving, {
    env: ctx.env.childEnv,
    logger: ctx.logger,
    signal: ctx.signal,
    cpuProfileDir: dir,
    ...cpusOf(ctx.placement.sutCpus),
  });
  try {
    await measureLoad({
      perfAnalyzer: ctx.env.perfAnalyzer,
      model: model.name,
      url: system.grpcUrl,
      protocol: 'grpc',
      concurrency: 8,
      measurementIntervalMs: model.measurementIntervalMs,
      inputData,
      env: ctx.env.childEnv,
      logger: ctx.logger,
      signal: ctx.signal,
      ...cpusOf(ctx.placement.clientCpus),
    });
  } finally {
    await system.service.stop(30_000);
  }
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  return file === undefined ? undefined : summarizeCpuProfile(join(dir, file));
}

async function benchModel(
  ctx: Context,
  model: BenchModel,
  work: string,
  options: { peer: boolean; profileDir: string | undefined },
) {
  const repository = join(work, model.name);
  const modelPath = await prepareModel(model, work);
  const inputData = await writeInputData(join(work, `${model.key}-input.json`), model.inputName, model.shape);
  const start = {
    env: ctx.env.childEnv,
    logger: ctx.logger,
    signal: ctx.signal,
    ...cpusOf(ctx.placement.sutCpus),
  };
  const ovfleet = await startOvfleet(model, repository, ctx.serving, start);
  try {
    await measureSystem(ctx, model, ovfleet, PROTOCOLS, (p) => SYSTEM_OF[p], inputData);
  } finally {
    await ovfleet.service.stop();
  }
  if (options.peer) {
    const peer = await startPeer(model, modelPath, ctx.serving, ctx.env.benchPython, start);
    try {
      await measureSystem(ctx, model, peer, ['grpc'], () => 'kserve-grpc', inputData);
    } finally {
      await peer.service.stop();
    }
  }
  await inProcess(ctx, model, modelPath);
  await benchmarkApp(ctx, model, modelPath);
  if (options.profileDir === undefined) return undefined;
  const dir = join(options.profileDir, model.key);
  try {
    return await profileServer(ctx, model, repository, dir, inputData);
  } catch (error: unknown) {
    if (ctx.signal.aborted) throw error;
    ctx.notes.push(
      `${model.key}: no server profile — ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: MODEL_KEYS.join(',') },
      concurrency: { type: 'string', default: '1,2,4,8,16' },
      'no-peer': { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      placement: { type: 'string', default: 'split' },
    },
  });
  if (!(PLACEMENTS as readonly string[]).includes(values.placement))
    throw new Error(`unknown placement ${values.placement}; choose from ${PLACEMENTS.join(', ')}`);
  const placement = choosePlacement(values.placement as PlacementKind);
  const models = values.models.split(',').map((k) => {
    if (!(MODEL_KEYS as readonly string[]).includes(k))
      throw new Error(`unknown model ${k}; choose from ${MODEL_KEYS.join(', ')}`);
    return BENCH_MODELS[k as ModelKey];
  });
  const concurrency = values.concurrency.split(',').map(Number);
  const logger = benchLogger('server');
  const aborter = new AbortController();
  process.once('SIGINT', () => aborter.abort());
  const ctx: Context = {
    env: readBenchEnvironment(),
    logger,
    signal: aborter.signal,
    concurrency,
    rows: [],
    notes: [],
    placement,
    serving: servingFor(placement.sutVcpus, await threadsPerCore()),
  };
  logger.info({ placement, serving: ctx.serving }, 'placement');
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replaceAll(':', '').replace(/\.\d+Z$/, 'Z');
  const profileDir = values['no-profile'] ? undefined : join(RESULTS_DIR, `server-${stamp}-profiles`);
  const work = await mkdtemp(join(tmpdir(), 'ovfleet-bench-server-'));
  const profiles: Partial<Record<ModelKey, ProfileSummary>> = {};
  const notes = ctx.notes;
  try {
    for (const model of models) {
      logger.info({ model: model.key, shape: model.shape }, 'benchmarking');
      const profile = await benchModel(ctx, model, work, { peer: !values['no-peer'], profileDir });
      if (profile) profiles[model.key] = profile;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (values['no-peer']) notes.push('the KServe peer was skipped (--no-peer)');
  notes.push(
    'peer measured over gRPC only: its REST answer to binary-output requests lacks binary_data_size, which perf_analyzer needs',
  );
  const ratios = models.map((m) => modelRatios(m.key, ctx.rows));
  const where =
    placement.kind === 'split'
      ? `servers pinned to CPU ${placement.sutCpus}, perf_analyzer to CPU ${placement.clientCpus}`
      : 'perf_analyzer shares the CPUs of the server';
  const targetNotes = Object.fromEntries(
    models.map((m) => [
      m.key,
      profileNote(
        profiles[m.key],
        ctx.rows.filter((r) => r.model === m.key),
        where,
      ),
    ]),
  ) as Partial<Record<ModelKey, string>>;
  const targets = serverTargets(ratios, targetNotes);
  const file = await writeResult({
    bench: 'server',
    startedAt,
    finishedAt: new Date().toISOString(),
    host: hostFacts(),
    settings: {
      placement,
      serving: ctx.serving,
      concurrency,
      models: models.map((m) => ({
        key: m.key,
        name: m.name,
        shape: m.shape,
        measurementIntervalMs: m.measurementIntervalMs,
      })),
      client: 'perf_analyzer, 3 windows per point, stability check off',
    },
    rows: [...ctx.rows.map((r) => ({ ...r })), ...ratios.map((r) => ({ kind: 'ratios', ...r }))],
    targets,
    notes: [
      ...notes,
      ...Object.entries(profiles).map(
        ([k, p]) => `${k} server profile (gRPC, concurrency 8): ${describeProfile(p)}`,
      ),
    ],
  });
  const png = file.replace(/\.json$/, '.png');
  await plotServerResult(ctx.env, file, png, logger);
  process.stdout.write(
    `\n${rowsTable(ctx.rows)}\n\n${ratiosTable(ratios)}\n\ntargets:\n${formatTargets(targets)}\n\n`,
  );
  for (const [k, p] of Object.entries(profiles))
    process.stdout.write(`${k} server profile: ${describeProfile(p)}\n`);
  process.stdout.write(`\nresults: ${file}\nplot:    ${png}\n`);
}

if (import.meta.main) await main();
