import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Runs a command to completion and collects its output; a non-zero exit is a result, not an error. */
export function runCommand(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error('empty command line'));
  const signals = [opts.signal, AbortSignal.timeout(opts.timeoutMs ?? 120_000)].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: AbortSignal.any(signals) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => reject(new Error(`${command} ${args.join(' ')}: ${e.message}`, { cause: e })));
    child.once('close', (code, signal) =>
      resolve({
        code: code ?? (signal === null ? -1 : 128),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}
