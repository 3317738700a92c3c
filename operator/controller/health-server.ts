// /metrics, /healthz and /readyz on one small HTTP server.
// healthz: the process's loops are alive. readyz: the caches have synced — true for the leader and
// for a standby alike, so a standby replica is Ready and can take over at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface Probes {
  healthy: () => boolean;
  ready: () => boolean;
}

export interface HealthServer {
  port: number;
  close: () => Promise<void>;
}

export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = colon <= 0 ? '0.0.0.0' : address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(colon < 0 ? address : address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad listen address ${address}`);
  return { host, port };
}

export async function startHealthServer(
  address: string,
  registry: Registry,
  probes: Probes,
  logger: Logger,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (path === '/healthz') {
      answer(probes.healthy() ? 200 : 503, probes.healthy() ? 'ok\n' : 'unhealthy\n');
    } else if (path === '/readyz') {
      answer(probes.ready() ? 200 : 503, probes.ready() ? 'ok\n' : 'caches not synced\n');
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => answer(200, text, registry.contentType),
        (error: unknown) => answer(500, `metrics failed: ${String(error)}\n`),
      );
    } else {
      answer(404, 'not found\n');
    }
  });
  const { host, port } = parseAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info({ host, port: bound }, 'serving /metrics /healthz /readyz');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
