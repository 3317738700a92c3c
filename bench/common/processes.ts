// Child processes for benchmarks: run-to-completion commands with captured output, and long-running
// services (servers) stopped by their own pid. Every child is bounded by a timeout or an AbortSignal.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Logger } from 'pino';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface CommandOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  readonly cwd?: string;
}

/** Runs a command to completion (SIGKILL at the timeout); never rejects on a non-zero exit. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const started = performance.now();
  options.logger.debug({ file, args }, 'run');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${file}`, { cause: error }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

export interface Service {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, SIGKILL after graceMs; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a long-running process; output (stdout+stderr) is kept, last 64 KiB. */
export function startService(
  file: string,
  args: readonly string[],
  options: { readonly env: NodeJS.ProcessEnv; readonly logger: Logger },
): Service {
  options.logger.debug({ file, args }, 'start');
  const child = spawn(file, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (c: string): void => {
    output = (output + c).slice(-65_536);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  return {
    child,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
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

/** Polls an HTTP URL until it answers 200, the service exits, or the timeout passes. */
export async function waitForHttp(
  url: string,
  service: Service,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`service exited before it was ready (${url}):\n${service.output().slice(-4000)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`not ready within ${timeoutMs} ms: ${url}\n${service.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
