// Entry point of a protocol worker process (forked by WorkerSupervisor; design: ./index.ts).
import { createLogger } from '../logging.ts';
import type { ToPrimary, ToWorker } from './ipc-messages.ts';
import { serializeError } from './ipc-messages.ts';
import { PrimaryChannel, RemoteMetrics, RemoteRegistry, reloadInPrimary } from './remote-registry.ts';
import { type StartedTransports, startTransports } from './start-transports.ts';

/** Time a worker gives in-flight requests at shutdown before closing their connections. */
const SHUTDOWN_GRACE_MS = 25_000;

const send = (message: ToPrimary): void => {
  if (process.connected) process.send?.(message);
};
const channel = new PrimaryChannel(send);
const registry = new RemoteRegistry(channel);
const metrics = new RemoteMetrics(channel);
let transports: StartedTransports | undefined;

// The primary coordinates shutdown; a signal sent to the whole process group is not for us.
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});
process.on('disconnect', () => {
  channel.failAll('the model owner process went away');
  void transports?.close(0).finally(() => process.exit(0));
  if (transports === undefined) process.exit(0);
});

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init': {
      const logger = createLogger(message.settings.log_level).child({ worker: message.index });
      startTransports({
        role: message.role,
        registry,
        metrics,
        settings: message.settings,
        logger,
        onReload: () => reloadInPrimary(channel),
      }).then(
        (started) => {
          transports = started;
          send({ type: 'listening', grpcPort: started.grpcPort, restPort: started.restPort });
        },
        (error: unknown) => {
          send({ type: 'start-failed', error: serializeError(error) });
          process.exitCode = 1;
          process.disconnect();
        },
      );
      break;
    }
    case 'snapshot':
      registry.update(message.snapshot);
      break;
    case 'shutdown':
      void (async () => {
        await transports?.close(SHUTDOWN_GRACE_MS);
        const stats: ToPrimary = { type: 'stats', served: channel.served };
        if (process.connected) process.send?.(stats, undefined, undefined, () => process.disconnect());
      })();
      break;
    case 'infer-result':
    case 'reply-error':
    case 'reload-result':
    case 'metrics-text':
      channel.deliver(message);
      break;
  }
});
