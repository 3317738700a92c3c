// Starts the transports one process serves (the primary without workers, or one worker).
import type { Logger } from 'pino';
import type { ServerSettings } from '../config.ts';
import { createGrpcServer } from '../grpc/grpc-server.ts';
import type { ServerMetrics } from '../protocol/metrics-port.ts';
import type { ReloadResult, TransportServer } from '../protocol/transport-options.ts';
import type { ModelRegistry } from '../repository/types.ts';
import { createRestServer } from '../rest/rest-server.ts';
import type { WorkerRole } from './worker-plan.ts';

export interface StartedTransports {
  readonly grpcPort: number | undefined;
  readonly restPort: number | undefined;
  /** Stops accepting and lets in-flight requests finish; forces the rest after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export interface TransportDeps {
  readonly role: WorkerRole;
  readonly registry: ModelRegistry;
  readonly metrics: ServerMetrics;
  readonly settings: ServerSettings;
  readonly logger: Logger;
  readonly onReload: () => Promise<ReloadResult>;
}

export async function startTransports(deps: TransportDeps): Promise<StartedTransports> {
  const { registry, metrics, settings, logger } = deps;
  const grpc =
    deps.role.grpc && settings.port !== 0
      ? createGrpcServer({ registry, metrics, settings, logger })
      : undefined;
  const rest =
    deps.role.rest && settings.rest_port !== 0
      ? createRestServer({ registry, metrics, settings, logger, onReload: deps.onReload })
      : undefined;
  const servers = [grpc, rest].filter((s): s is TransportServer => s !== undefined);
  let grpcPort: number | undefined;
  let restPort: number | undefined;
  try {
    grpcPort = await grpc?.listen();
    restPort = await rest?.listen();
  } catch (error: unknown) {
    await Promise.all(servers.map((s) => s.close(false)));
    throw error;
  }
  return {
    grpcPort,
    restPort,
    async close(graceMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(servers.map((s) => s.close(true)));
      const forced = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const outcome = await Promise.race([graceful, forced]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn({ grace_ms: graceMs }, 'in-flight requests did not finish in time; closing connections');
        await Promise.all(servers.map((s) => s.close(false)));
      }
    },
  };
}
