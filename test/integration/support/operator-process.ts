// Runs `ovfleet run` as a real child process (so kill/restart tests are real) and reads its /metrics.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface OperatorOptions {
  kubeconfig: string;
  namespace?: string;
  leaderElect?: boolean;
  leaseNamespace?: string;
  identity?: string;
  resyncSeconds?: number;
  /** Extra flags. */
  args?: readonly string[];
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

export class OperatorProcess {
  readonly port: number;
  readonly #child: ChildProcess;
  #log = '';
  #exit: Promise<number | null>;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.port = port;
    child.stdout?.on('data', (b: Buffer) => this.#append(b));
    child.stderr?.on('data', (b: Buffer) => this.#append(b));
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const port = await freePort();
    const args = [
      join(ROOT, 'bin', 'ovfleet.js'),
      'run',
      `--kubeconfig=${options.kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--metrics-port=${port}`,
      `--health-port=${port}`,
      `--resync-seconds=${options.resyncSeconds ?? 300}`,
      '--log-level=debug',
    ];
    if (options.namespace) args.push(`--namespace=${options.namespace}`);
    if (options.identity) args.push(`--identity=${options.identity}`);
    if (options.leaderElect) {
      args.push(
        '--leader-elect',
        `--lease-namespace=${options.leaseNamespace ?? options.namespace ?? 'default'}`,
        '--lease-duration-seconds=6',
        '--renew-deadline-seconds=4',
        '--retry-period-seconds=1',
      );
    }
    args.push(...(options.args ?? []));
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    return new OperatorProcess(child, port);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get log(): string {
    return this.#log;
  }

  get exited(): Promise<number | null> {
    return this.#exit;
  }

  #append(b: Buffer): void {
    this.#log += b.toString('utf8');
    if (this.#log.length > 2_000_000) this.#log = this.#log.slice(-1_000_000);
  }

  async #get(path: string): Promise<{ status: number; text: string } | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}${path}`, { signal: AbortSignal.timeout(2_000) });
      return { status: res.status, text: await res.text() };
    } catch {
      return undefined;
    }
  }

  /** Waits until /readyz answers 200 (caches synced). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null)
        throw new Error(`operator exited ${this.#child.exitCode}:\n${this.tail()}`);
      if ((await this.#get('/readyz'))?.status === 200) return;
      await sleep(200);
    }
    throw new Error(`operator not ready in ${timeoutMs} ms:\n${this.tail()}`);
  }

  async metricsText(): Promise<string> {
    const r = await this.#get('/metrics');
    if (r?.status !== 200) throw new Error(`no /metrics from the operator:\n${this.tail()}`);
    return r.text;
  }

  /** Sum of a metric's samples whose labels match all of `labels` (and none of `exclude`). */
  async metric(
    name: string,
    labels: Record<string, string> = {},
    exclude: Record<string, string> = {},
  ): Promise<number> {
    return sumMetric(await this.metricsText(), name, labels, exclude);
  }

  tail(lines = 60): string {
    return this.#log.split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM and wait (SIGKILL after `graceMs`). Resolves the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return this.#child.exitCode;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    const code = await this.#exit;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL: no cleanup at all, as a crash. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGKILL');
    await this.#exit;
  }
}

export function sumMetric(
  text: string,
  name: string,
  labels: Record<string, string> = {},
  exclude: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    const has = (k: string, v: string) => labelText.includes(`${k}="${v}"`);
    if (!Object.entries(labels).every(([k, v]) => has(k, v))) continue;
    if (Object.entries(exclude).some(([k, v]) => has(k, v))) continue;
    sum += Number(m[3]);
  }
  return sum;
}
