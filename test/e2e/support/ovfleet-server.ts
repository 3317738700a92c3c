// Starts the real `ovfleet-server` (bin/ovfleet-server.js) as a child process on 127.0.0.1 with free
// ports, waits until it answers ready, and stops it. Used by the e2e suites.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { openvinoLibDir } from '../../support/tools.ts';

const BIN = fileURLToPath(new URL('../../../bin/ovfleet-server.js', import.meta.url));

export interface RunningServer {
  readonly grpcPort: number;
  readonly restPort: number;
  readonly grpcUrl: string;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** stdout + stderr so far (for failure messages). */
  logs(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A port that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, logs: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`ovfleet-server exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`ovfleet-server not ready after ${timeoutMs} ms:\n${logs()}`);
}

/** Starts the server with these flags (ports and bind addresses are added here). */
export async function startOvfleetServer(args: readonly string[], timeoutMs = 120_000): Promise<RunningServer> {
  const grpcPort = await freePort();
  let restPort = await freePort();
  while (restPort === grpcPort) restPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      BIN,
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
    { env: { ...process.env, OPENVINO_LIB_DIR: openvinoLibDir() }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const logs = () => output;
  const httpUrl = `127.0.0.1:${restPort}`;
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(`http://${httpUrl}`, child, logs, timeoutMs);
  } catch (error: unknown) {
    await stop(1000);
    throw error;
  }
  return { grpcPort, restPort, grpcUrl: `127.0.0.1:${grpcPort}`, httpUrl, child, logs, stop };
}
