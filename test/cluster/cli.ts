#!/usr/bin/env node
// Local control plane for scripts (make demo, benchmarks):
//   node test/cluster/cli.ts start [--env-file F] [--detach]   start; print `export KUBECONFIG=…`; run until
//                                                              SIGINT/SIGTERM, or exit at once with --detach
//   node test/cluster/cli.ts env  --state F                    print the exports of a running cluster
//   node test/cluster/cli.ts stop --state F                    stop a (detached) cluster, remove its directory
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { pino } from 'pino';
import { attachCluster, type Cluster, startCluster } from './harness.ts';

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

const program = new Command('ovfleet-cluster').description(
  'local Kubernetes control plane with kwok fake nodes',
);

program
  .command('start')
  .description('start a cluster; print its exports; stay until SIGINT/SIGTERM unless --detach')
  .option('--env-file <path>', 'also write the exports to this file')
  .option('--detach', 'exit once the cluster is ready and leave it running (stop it with `stop --state`)')
  .option('--keep-dir', 'keep the cluster directory (logs) after stop')
  .action(async (opts: { envFile?: string; detach?: boolean; keepDir?: boolean }) => {
    const cluster = await startCluster({
      logger: log,
      keepDir: opts.keepDir === true,
      outliveProcess: opts.detach === true,
    });
    const exports = exportsOf(cluster);
    if (opts.envFile !== undefined) await writeFile(opts.envFile, exports);
    process.stdout.write(exports);
    log.info({ startMs: cluster.startMs, stateFile: cluster.stateFile }, 'cluster ready');
    if (opts.detach === true) return;
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
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
    await attachCluster(opts.state, { logger: log, keepDir: opts.keepDir === true }).stop();
    log.info('cluster stopped');
  });

try {
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  log.error({ err }, 'ovfleet-cluster failed');
  process.exitCode = 1;
}
