#!/usr/bin/env node
// Local control plane for scripts (make demo, benchmarks):
//   node test/cluster/cli.ts start [--exports F]            start; print `export KUBECONFIG=…` lines; stay in the
//                                                           foreground until SIGINT/SIGTERM, then stop the cluster
//   node test/cluster/cli.ts start --detach [--exports F]   the same in a background process (its log: F.log);
//                                                           return once ready
//   node test/cluster/cli.ts env  --state F                 print the exports of a running cluster
//   node test/cluster/cli.ts stop --state F                 stop a cluster (its owner first), remove its directory
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { pino } from 'pino';
import { attachCluster, type Cluster, startCluster } from './harness.ts';
import { isAlive, logTail } from './processes.ts';
import { readState } from './state.ts';

const log = pino({ level: 'info', base: { component: 'ovfleet-cluster' } }, pino.destination(2));

function exportsOf(cluster: Cluster): string {
  return [
    `export KUBECONFIG=${cluster.kubeconfigPath}`,
    `export OVFLEET_CLUSTER_STATE=${cluster.stateFile}`,
    `export OVFLEET_K8S_BIN=${cluster.binDir}`,
    `export PATH=${cluster.binDir}:$PATH`,
    '',
  ].join('\n');
}

/** Runs `start` again as a background process (the cluster's owner and parent) and waits until it is ready. */
async function startDetached(exportsFile: string, keepDir: boolean): Promise<void> {
  await rm(exportsFile, { force: true });
  const daemonLog = `${exportsFile}.log`;
  const fd = openSync(daemonLog, 'a');
  const args = [fileURLToPath(import.meta.url), 'start', '--exports', exportsFile];
  if (keepDir) args.push('--keep-dir');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid ?? 0;
  const deadline = Date.now() + 240_000;
  while (!existsSync(exportsFile)) {
    if (!isAlive(pid) || Date.now() > deadline) {
      throw new Error(`background cluster (pid ${pid}) did not become ready:\n${logTail(daemonLog)}`);
    }
    await sleep(200);
  }
  process.stdout.write(await readFile(exportsFile, 'utf8'));
  log.info({ ownerPid: pid, daemonLog }, 'cluster running in the background');
}

/** Stops the cluster through its owner (SIGTERM, so that it reaps its children), then whatever is left. */
async function stopCluster(stateFile: string, keepDir: boolean): Promise<void> {
  if (!existsSync(stateFile)) throw new Error(`no cluster state at ${stateFile}`);
  const { ownerPid } = readState(stateFile);
  if (ownerPid !== process.pid && isAlive(ownerPid)) {
    process.kill(ownerPid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (isAlive(ownerPid) && Date.now() < deadline) await sleep(100);
  }
  if (existsSync(stateFile)) await attachCluster(stateFile, { logger: log, keepDir }).stop();
}

const program = new Command('ovfleet-cluster').description(
  'local Kubernetes control plane with kwok fake nodes',
);

program
  .command('start')
  .description(
    'start a cluster and print its exports; run until SIGINT/SIGTERM, or in the background with --detach',
  )
  .option('--exports <path>', 'also write the exports to this file')
  .option('--detach', 'run the cluster from a background process; return once it is ready')
  .option('--keep-dir', 'keep the cluster directory (logs) after stop')
  .action(async (opts: { exports?: string; detach?: boolean; keepDir?: boolean }) => {
    const keepDir = opts.keepDir === true;
    if (opts.detach === true) {
      await startDetached(opts.exports ?? join(tmpdir(), `ovfleet-cluster-${process.pid}.env`), keepDir);
      return;
    }
    const stopRequested = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const cluster = await startCluster({ logger: log, keepDir });
    // Signal listeners do not keep Node's event loop alive; this timer does until a stop is asked for.
    const keepAlive = setInterval(() => {}, 1 << 30);
    void stopRequested.finally(() => clearInterval(keepAlive));
    const exports = exportsOf(cluster);
    if (opts.exports !== undefined) await writeFile(opts.exports, exports);
    process.stdout.write(exports);
    log.info({ startMs: cluster.startMs, stateFile: cluster.stateFile }, 'cluster ready');
    await stopRequested;
    await cluster.stop();
    log.info('cluster stopped');
  });

program
  .command('env')
  .description('print the exports of a running cluster')
  .requiredOption('--state <file>', 'state.json of the cluster (OVFLEET_CLUSTER_STATE)')
  .action((opts: { state: string }) => {
    process.stdout.write(exportsOf(attachCluster(opts.state, { logger: log })));
  });

program
  .command('stop')
  .description('stop a cluster and remove its directory')
  .requiredOption('--state <file>', 'state.json of the cluster (OVFLEET_CLUSTER_STATE)')
  .option('--keep-dir', 'keep the cluster directory (logs)')
  .action(async (opts: { state: string; keepDir?: boolean }) => {
    await stopCluster(opts.state, opts.keepDir === true);
    log.info('cluster stopped');
  });

try {
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  log.error({ err }, 'ovfleet-cluster failed');
  process.exitCode = 1;
}
