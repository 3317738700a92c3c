import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** Operations another process may ask of the process that started (and so is parent of) the cluster. */
export type ControlAction = 'restart-apiserver';

/**
 * A loopback HTTP endpoint in the process that owns the cluster, so that a restarted component has the
 * owner as its parent: the owner reaps it on stop, whichever test worker asked for the restart.
 */
export async function startControlServer(
  handlers: Record<ControlAction, () => Promise<void>>,
  log: Logger,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const action = req.url?.slice(1) as ControlAction;
    const handler = req.method === 'POST' && Object.hasOwn(handlers, action) ? handlers[action] : undefined;
    if (handler === undefined) {
      res.writeHead(404).end(`unknown action ${req.method ?? ''} ${req.url ?? ''}`);
      return;
    }
    handler().then(
      () => res.writeHead(200).end('ok'),
      (err: unknown) => {
        log.error({ err, action }, 'control action failed');
        res.writeHead(500).end(err instanceof Error ? err.message : String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Asks the owner to perform `action`; resolves when it is done, rejects with the owner's message. */
export function callControl(url: string, action: ControlAction, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/${action}`, { method: 'POST', signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 200) resolve();
        else
          reject(
            new Error(`${action} failed in the cluster's owner: ${Buffer.concat(chunks).toString('utf8')}`),
          );
      });
    });
    req.once('error', (err) =>
      reject(new Error(`cannot reach the cluster's owner at ${url}`, { cause: err })),
    );
    req.end();
  });
}
