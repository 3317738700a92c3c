// `ovfleet-server`: OVMS-compatible flags → settings → engine, models, transports. Exit codes:
// 0 after a graceful stop (SIGTERM/SIGINT), 1 when the server cannot start (unavailable device, model
// not loadable, port taken…), 2 for bad flags.
import { ConfigError, parseServerArgs, type ServerSettings } from './config.ts';
import { ServerError, toServerError } from './errors.ts';
import { tuneGarbageCollector } from './gc-tuning.ts';
import { createLogger } from './logging.ts';
import { startServer } from './main.ts';
import { singleModelConfig } from './repository/model-config.ts';

function parseOrExit(argv: readonly string[]): ServerSettings {
  try {
    const settings = parseServerArgs(argv);
    singleModelConfig(settings); // --shape and --model_version_policy are flags too: check them now
    return settings;
  } catch (error: unknown) {
    if (
      error instanceof ConfigError ||
      (error instanceof ServerError && error.code === 'OVF_ERR_CONFIG_INVALID')
    ) {
      process.stderr.write(`ovfleet-server: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(argv: readonly string[], gcFlags: readonly string[]): Promise<void> {
  const settings = parseOrExit(argv);
  const logger = createLogger(settings.log_level);
  const aborter = new AbortController();
  const onEarlySignal = (): void => aborter.abort();
  process.once('SIGTERM', onEarlySignal);
  process.once('SIGINT', onEarlySignal);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(settings, logger, aborter.signal);
  } catch (error: unknown) {
    const failure = toServerError(error);
    logger.fatal({ code: failure.code, err: error }, `startup failed: ${failure.message}`);
    process.stderr.write(`ovfleet-server: ${failure.message}\n`);
    process.exit(1);
  }
  process.off('SIGTERM', onEarlySignal);
  process.off('SIGINT', onEarlySignal);
  logger.info(
    {
      grpc_port: server.grpcPort ?? null,
      rest_port: server.restPort ?? null,
      workers: server.workers,
      gc_flags: gcFlags,
    },
    'ready',
  );
  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping: draining in-flight requests');
    server.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main(process.argv.slice(2), tuneGarbageCollector());
