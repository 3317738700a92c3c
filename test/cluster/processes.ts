import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1 (the kernel picks it; the listener closes before it is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from an ephemeral listener'));
      });
    });
  });
}

/** Distinct free ports (kept apart from each other while they are collected). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts `argv` as the leader of a new process group with stdout and stderr appended to `logFile`.
 * The process does not depend on the caller's lifetime or pipes, so another process (a test worker, the
 * CLI) can stop or restart it by pid.
 */
export function spawnDetached(argv: readonly string[], logFile: string): number {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('empty command line');
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => {});
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Whether `pid` is a live process; a zombie (exited, not yet reaped) counts as gone. */
export function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // Fields after the parenthesised command name: "<pid> (<comm>) <state> ..."
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** Every live process whose process group is `pgid`. */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "<pid> (<comm>) <state> <ppid> <pgrp> ..."
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
    } catch {
      // the process exited while it was being read
    }
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err: unknown) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ESRCH')) throw err;
  }
}

/**
 * Stops the process group led by `pgid`: SIGTERM, then SIGKILL after `graceMs`; resolves once no member
 * of the group is alive.
 */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processGroupMembers(pgid).length > 0 && Date.now() < deadline) await sleep(50);
  if (processGroupMembers(pgid).length === 0) return;
  signalGroup(pgid, 'SIGKILL');
  const hardDeadline = Date.now() + 5_000;
  while (processGroupMembers(pgid).length > 0) {
    if (Date.now() > hardDeadline) throw new Error(`process group ${pgid} survived SIGKILL`);
    await sleep(50);
  }
}

/** Sends SIGKILL to each group synchronously; for process 'exit' handlers, where nothing can wait. */
export function killGroupsNow(pgids: readonly number[]): void {
  for (const pgid of pgids) signalGroup(pgid, 'SIGKILL');
}

/** The last `maxBytes` of a log file, or a note that it cannot be read. */
export function logTail(file: string, maxBytes = 4_000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > maxBytes ? `…${text.slice(-maxBytes)}` : text;
  } catch (err: unknown) {
    return `(no log at ${file}: ${err instanceof Error ? err.message : String(err)})`;
  }
}
