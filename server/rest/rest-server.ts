// The REST transport: plain node:http with keep-alive, routes in routes.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerError } from '../errors.ts';
import { noMetrics } from '../protocol/metrics-port.ts';
import {
  DEFAULT_SERVER_INFO,
  type RestServerOptions,
  type TransportServer,
} from '../protocol/transport-options.ts';
import { makeRouter } from './routes.ts';

export function createRestServer(options: RestServerOptions): TransportServer {
  const { settings } = options;
  const logger = options.logger.child({ transport: 'rest' });
  const route = makeRouter({
    registry: options.registry,
    logger,
    metrics: options.metrics ?? noMetrics,
    serverInfo: options.serverInfo ?? DEFAULT_SERVER_INFO,
    maxBodyBytes: settings.max_message_bytes,
    defaultTimeoutMs: settings.request_timeout_ms,
    onReload: options.onReload,
  });
  // While closing gracefully, every response ends its connection, so keep-alive clients that were
  // busy when close() began do not hold the process open until their keep-alive timeout.
  let closing = false;
  const server: Server = createServer({ keepAlive: true, keepAliveTimeout: 65_000 }, (req, res) => {
    if (closing) res.shouldKeepAlive = false;
    res.once('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'unhandled REST error');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (error, socket) => {
    logger.debug({ err: error }, 'malformed HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  const port = options.port ?? settings.rest_port;
  const host = settings.rest_bind_address;
  return {
    listen: () =>
      new Promise<number>((resolve, reject) => {
        const onError = (error: Error) =>
          reject(
            new ServerError(
              'OVF_ERR_CONFIG_INVALID',
              `REST cannot listen on ${host}:${port}: ${error.message}`,
              { cause: error },
            ),
          );
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const bound = (server.address() as AddressInfo).port;
          logger.info({ address: host, port: bound }, 'REST listening');
          resolve(bound);
        });
      }),
    close: (graceful) =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        if (graceful) server.closeIdleConnections();
        else server.closeAllConnections();
      }),
  };
}
