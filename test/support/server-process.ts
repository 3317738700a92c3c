// Runs the real `ovfleet-server` (bin/ovfleet-server.js) as a child process on 127.0.0.1 with free
// ports, collects its JSON log lines and waits for its `ready` line.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { childEnv } from './tools.ts';

export const SERVER_BIN = fileURLToPath(new URL('../../bin/ovfleet-server.js', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string };

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly grpcPort: number;
  readonly restPort: number;
  readonly url: string;
  readonly logs: LogLine[];
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunOptions {
  /** Wait for the `ready` line (default); false = return at once (for start-up failures). */
  readonly waitReady?: boolean;
  readonly readyTimeoutMs?: number;
}

/** Starts the server with `args` plus free ports and 127.0.0.1 bind addresses. */
export async function runServer(args: readonly string[], options: RunOptions = {}): Promise<ServerProcess> {
  const grpcPort = await freePort();
  const restPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      SERVER_BIN,
      '--port',
      String(grpcPort),
      '--rest_port',
      String(restPort),
      '--grpc_bind_address',
      '127.0.0.1',
      '--rest_bind_address',
      '127.0.0.1',
      ...args,
    ],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: LogLine[] = [];
  let stderr = '';
  let pending = '';
  const waiters: (() => void)[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line, unparsed: true });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve(code ?? signal ?? -1);
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const server: ServerProcess = {
    child,
    grpcPort,
    restPort,
    url: `http://127.0.0.1:${restPort}`,
    logs,
    stderr: () => stderr,
    exited,
    async stop(graceMs = 60_000) {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (options.waitReady === false) return server;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (!logs.some((l) => l.msg === 'ready')) {
    if (done)
      throw new Error(`ovfleet-server exited before ready:\n${stderr}\n${JSON.stringify(logs.slice(-5))}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ovfleet-server not ready in time:\n${stderr}`);
    }
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 200);
    });
  }
  return server;
}
