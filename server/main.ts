// Server assembly: engine → model repository → transports (in this process, or in protocol worker
// processes) → metrics; and the orderly stop: readiness off, stop accepting, finish in-flight
// requests, drain the infer-request pools, release the models.
import type { Logger } from 'pino';
import type { ServerSettings } from './config.ts';
import { selectEngine } from './engine/index.ts';
import { OvmsMetrics } from './metrics.ts';
import { InferPool } from './pool/infer-pool.ts';
import { ModelRepository } from './repository/model-repository.ts';
import { planWorkers } from './workers/index.ts';
import { type StartedTransports, startTransports } from './workers/start-transports.ts';
import { WorkerSupervisor } from './workers/worker-supervisor.ts';

/** Time in-flight requests get at shutdown before their connections are closed. */
export const SHUTDOWN_GRACE_MS = 25_000; // under Kubernetes' default 30 s terminationGracePeriodSeconds

export interface RunningServer {
  readonly grpcPort: number | undefined;
  readonly restPort: number | undefined;
  readonly workers: number;
  /** Graceful stop; resolves when every in-flight request finished and the models are released. */
  stop(): Promise<void>;
}

export async function startServer(
  settings: ServerSettings,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningServer> {
  const engine = await selectEngine(settings.engine, { logger });
  const metrics = new OvmsMetrics();
  let supervisor: WorkerSupervisor | undefined;
  const repository = new ModelRepository({
    engine,
    settings,
    logger,
    createPool: (compiled, { nireq, maxQueueSize, logger: poolLogger }) =>
      new InferPool(compiled, { nireq, maxQueue: maxQueueSize, logger: poolLogger }),
    metrics,
    onChange: () => supervisor?.broadcast(),
  });
  await repository.start(signal);
  metrics.setGaugeSource(() => repository.gauges());

  const plan = planWorkers(settings);
  if (plan.capped) {
    logger.warn(
      { grpc_workers: plan.grpcWorkers, rest_workers: plan.restWorkers },
      'worker counts capped at the vCPUs available to this instance',
    );
  }
  let transports: StartedTransports | undefined;
  let ports: { grpcPort: number | undefined; restPort: number | undefined };
  try {
    if (plan.workers.length === 0) {
      transports = await startTransports({
        role: { grpc: true, rest: true },
        registry: repository,
        metrics,
        settings,
        logger,
        onReload: () => repository.reload('request'),
      });
      ports = transports;
    } else {
      supervisor = new WorkerSupervisor({ plan, settings, repository, metrics, logger });
      ports = await supervisor.start();
    }
  } catch (error: unknown) {
    await supervisor?.stop();
    await repository.close();
    throw error;
  }
  repository.watch(settings.file_system_poll_wait_seconds);

  let stopping: Promise<void> | undefined;
  return {
    grpcPort: ports.grpcPort,
    restPort: ports.restPort,
    workers: plan.workers.length,
    stop: () => {
      stopping ??= (async () => {
        repository.stopAccepting();
        await transports?.close(SHUTDOWN_GRACE_MS);
        await supervisor?.stop();
        await repository.close();
      })();
      return stopping;
    },
  };
}
