// The gRPC transport: inference.GRPCInferenceService from proto/inference.proto on @grpc/grpc-js.

import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ServerError } from '../errors.ts';
import { noMetrics } from '../protocol/metrics-port.ts';
import {
  DEFAULT_SERVER_INFO,
  type TransportOptions,
  type TransportServer,
} from '../protocol/transport-options.ts';
import { advertiseStreamWindow, widenConnectionWindows } from './flow-window.ts';
import { makeHandlers } from './handlers.ts';

export const PROTO_PATH = fileURLToPath(new URL('../../proto/inference.proto', import.meta.url));

/** proto-loader options the handlers' wire types assume (see wire-types.ts). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

export function loadServiceDefinition(): grpc.ServiceDefinition {
  const pkg = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
  const service = pkg['inference.GRPCInferenceService'];
  if (service === undefined || !('ModelInfer' in service)) {
    throw new ServerError('OVF_ERR_INTERNAL', `${PROTO_PATH} does not define inference.GRPCInferenceService`);
  }
  return service as grpc.ServiceDefinition;
}

export function createGrpcServer(options: TransportOptions): TransportServer {
  const { settings } = options;
  const logger = options.logger.child({ transport: 'grpc' });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': settings.max_message_bytes,
    'grpc.max_send_message_length': settings.max_message_bytes,
  });
  const windowed = advertiseStreamWindow(server);
  server.addService(
    loadServiceDefinition(),
    makeHandlers({
      registry: options.registry,
      logger,
      metrics: options.metrics ?? noMetrics,
      serverInfo: options.serverInfo ?? DEFAULT_SERVER_INFO,
      defaultTimeoutMs: settings.request_timeout_ms,
    }),
  );
  const port = options.port ?? settings.port;
  const host = settings.grpc_bind_address;
  return {
    listen: () =>
      new Promise<number>((resolve, reject) => {
        const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => {
          if (error !== null) {
            reject(
              new ServerError(
                'OVF_ERR_CONFIG_INVALID',
                `gRPC cannot listen on ${address}: ${error.message}`,
                { cause: error },
              ),
            );
            return;
          }
          if (!(windowed && widenConnectionWindows(server))) {
            logger.warn('gRPC: cannot widen HTTP/2 flow-control windows (grpc-js internals changed)');
          }
          logger.info({ address: host, port: bound }, 'gRPC listening');
          resolve(bound);
        });
      }),
    close: (graceful) =>
      new Promise<void>((resolve) => {
        if (!graceful) {
          server.forceShutdown();
          resolve();
          return;
        }
        server.tryShutdown(() => resolve());
      }),
  };
}
