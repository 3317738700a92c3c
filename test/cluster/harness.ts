import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import type { CommandOptions, CommandResult } from './command.ts';
import {
  type ComponentContext,
  type ComponentName,
  type ComponentPorts,
  componentArgv,
  healthProbe,
  KWOK_STAGES_FILE,
  SCHEDULER_CONFIG_FILE,
  schedulerConfig,
} from './components.ts';
import { loadClusterConfig } from './config.ts';
import { startControlServer } from './control.ts';
import { DEFAULT_FAKE_NODES, type FakeNodeSpec, fakeNodeList } from './fake-nodes.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { LocalCluster } from './local-cluster.ts';
import { type ClusterPki, createPki } from './pki.ts';
import { freePorts, killGroupsNow, spawnDetached } from './processes.ts';
import { type ClusterState, readState, writeState } from './state.ts';
import { waitFor, waitHealthy } from './wait.ts';

export type { CommandOptions, CommandResult } from './command.ts';
export type { ComponentName } from './components.ts';
export { DEFAULT_FAKE_NODES, type FakeNodeSpec, VPU_NODE_LABEL } from './fake-nodes.ts';

/** A running local control plane: etcd, kube-apiserver, controller-manager, scheduler and kwok. */
export interface Cluster {
  /** Admin kubeconfig (client certificate in group system:masters), certificates embedded. */
  readonly kubeconfigPath: string;
  /** API server URL, https://127.0.0.1:<port>. */
  readonly server: string;
  /** Directory holding the PKI, data, logs and state.json of this cluster. */
  readonly dir: string;
  /** state.json: lets another process attach (attachCluster) to restart or stop this cluster. */
  readonly stateFile: string;
  /** Directory of the binaries (kubectl included). */
  readonly binDir: string;
  /** Milliseconds from the startCluster() call to every fake node Ready (0 when attached). */
  readonly startMs: number;
  readonly nodes: readonly FakeNodeSpec[];
  /** Runs kubectl as the admin; resolves stdout, rejects on a non-zero exit with stderr in the message. */
  kubectl(args: readonly string[], opts?: CommandOptions): Promise<string>;
  /** Runs kubectl as the admin; resolves exit code and output whatever the exit (e.g. `auth can-i`). */
  kubectlResult(args: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  /** Stops the API server and starts it again on the same port and etcd; resolves once /readyz is 200. */
  restartApiServer(signal?: AbortSignal): Promise<void>;
  /** Pids of the live components (process-group leaders). */
  pids(): number[];
  /** The last lines of each component's log. */
  logs(): string;
  /** Stops every component (whole process groups), waits for them to be gone and removes `dir`. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Fake nodes to register; DEFAULT_FAKE_NODES when omitted. */
  readonly nodes?: readonly FakeNodeSpec[];
  /** Directory with the binaries; from the cache (see config.ts) when omitted. */
  readonly binDir?: string;
  /** Keep the cluster directory after stop() (logs for a post-mortem). */
  readonly keepDir?: boolean;
  /** Time allowed for the whole start, ms (default 180 s). */
  readonly timeoutMs?: number;
}

const BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'kubectl',
  KWOK_STAGES_FILE,
];

interface ClusterFiles {
  readonly ports: ComponentPorts;
  readonly server: string;
  readonly pki: ClusterPki;
  readonly kubeconfigPath: string;
  readonly kubeconfigs: ComponentContext['kubeconfigs'];
}

/** Ports, PKI and kubeconfigs of a new cluster in `dir`. */
async function prepareFiles(dir: string, signal: AbortSignal): Promise<ClusterFiles> {
  await Promise.all(
    ['pki', 'logs', 'etcd-data'].map((d) => mkdir(join(dir, d), { recursive: true, mode: 0o700 })),
  );

  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await freePorts(6);
  const ports = {
    etcdClient: etcdClient ?? 0,
    etcdPeer: etcdPeer ?? 0,
    apiserver: apiserver ?? 0,
    controllerManager: controllerManager ?? 0,
    scheduler: scheduler ?? 0,
    kwok: kwok ?? 0,
  };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const pki = await createPki(join(dir, 'pki'), signal);
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  const kubeconfigs = {
    controllerManager: join(dir, 'controller-manager.kubeconfig'),
    scheduler: join(dir, 'scheduler.kubeconfig'),
    kwok: join(dir, 'kwok.kubeconfig'),
  };
  const users = [
    { path: kubeconfigPath, client: pki.clients.admin, user: 'admin' },
    {
      path: kubeconfigs.controllerManager,
      client: pki.clients['controller-manager'],
      user: 'system:kube-controller-manager',
    },
    { path: kubeconfigs.scheduler, client: pki.clients.scheduler, user: 'system:kube-scheduler' },
    { path: kubeconfigs.kwok, client: pki.clients.kwok, user: 'kwok' },
  ];
  await Promise.all(users.map((u) => writeKubeconfig({ ...u, server, caCert: pki.ca.cert })));
  await writeFile(join(dir, SCHEDULER_CONFIG_FILE), schedulerConfig(kubeconfigs.scheduler));

  return { ports, server, pki, kubeconfigPath, kubeconfigs };
}

async function registerNodes(
  cluster: Cluster,
  nodes: readonly FakeNodeSpec[],
  signal: AbortSignal,
): Promise<void> {
  await cluster.kubectl(['apply', '-f', '-'], { input: fakeNodeList(nodes), signal });
  await waitFor(
    'fake nodes Ready',
    async () => {
      const r = await cluster.kubectlResult(
        ['wait', '--for=condition=Ready', 'node', ...nodes.map((n) => n.name), '--timeout=5s'],
        { signal },
      );
      return r.code === 0;
    },
    signal,
  );
}

/** Attaches to a cluster started elsewhere (the vitest global setup, the CLI) through its state.json. */
export function attachCluster(stateFile: string, opts: { logger?: Logger; keepDir?: boolean } = {}): Cluster {
  const state = readState(stateFile);
  const log = (opts.logger ?? pino({ level: 'warn' })).child({ cluster: state.server });
  return new LocalCluster(stateFile, state, log, {
    owner: false,
    startMs: 0,
    keepDir: opts.keepDir ?? false,
  });
}

/**
 * Starts etcd → kube-apiserver → controller-manager, scheduler, kwok; registers the fake nodes and resolves
 * once they are Ready and the default service account exists. On any failure everything started so far is
 * stopped and the error carries the components' log tails.
 */
export async function startCluster(opts: StartClusterOptions = {}): Promise<Cluster> {
  const began = Date.now();
  const config = loadClusterConfig();
  const binDir = opts.binDir ?? config.binDir;
  const missing = BINARIES.filter((b) => !existsSync(join(binDir, b)));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')} in ${binDir}: run \`make cluster-bins\` first`);
  }
  const signal = AbortSignal.any(
    [opts.signal, AbortSignal.timeout(opts.timeoutMs ?? 180_000)].filter(
      (s): s is AbortSignal => s !== undefined,
    ),
  );
  const dir = await mkdtemp(join(config.tmpParent, 'ovfleet-cluster-'));
  const log = (opts.logger ?? pino({ level: 'info' })).child({ cluster: dir });
  const nodes = opts.nodes ?? DEFAULT_FAKE_NODES;
  let files: ClusterFiles;
  try {
    files = await prepareFiles(dir, signal);
  } catch (err: unknown) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`preparing the cluster's files in ${dir} failed`, { cause: err });
  }
  const { ports, server, pki, kubeconfigPath, kubeconfigs } = files;

  const stateFile = join(dir, 'state.json');
  let state: ClusterState = {
    version: 1,
    dir,
    server,
    kubeconfigPath,
    binDir,
    ports,
    caCert: pki.ca.cert,
    admin: pki.clients.admin,
    nodes,
    ownerPid: process.pid,
    components: {},
  };
  writeState(stateFile, state);
  const onExit = (): void => {
    // Last resort when the owning process dies without stop(): no component may outlive it.
    if (!existsSync(stateFile)) return;
    killGroupsNow(Object.values(readState(stateFile).components).map((c) => c.pid));
  };
  process.once('exit', onExit);
  const context: ComponentContext = { binDir, dir, ports, pki, kubeconfigs };
  const keepDir = opts.keepDir ?? false;
  const cluster = new LocalCluster(stateFile, state, log, { owner: true, startMs: 0, keepDir });
  const control = await startControlServer({ 'restart-apiserver': () => cluster.restartApiServer() }, log);
  state = { ...state, controlUrl: control.url };
  writeState(stateFile, state);
  const release = (): void => {
    process.removeListener('exit', onExit);
    void control.close();
  };

  const launch = async (name: ComponentName): Promise<void> => {
    const argv = componentArgv(name, context);
    const logFile = join(dir, 'logs', `${name}.log`);
    const pid = spawnDetached(argv, logFile);
    state = readState(stateFile);
    state = { ...state, components: { ...state.components, [name]: { pid, argv, log: logFile } } };
    writeState(stateFile, state);
    await waitHealthy(name, pid, healthProbe(name, ports), state, signal);
    log.debug({ name, pid, ms: Date.now() - began }, 'component healthy');
  };

  try {
    await launch('etcd');
    await launch('kube-apiserver');
    await Promise.all([launch('kube-controller-manager'), launch('kube-scheduler'), launch('kwok')]);
    if (nodes.length > 0) await registerNodes(cluster, nodes, signal);
    await waitFor(
      'service account default/default',
      async () =>
        (await cluster.kubectlResult(['get', 'serviceaccount', 'default', '-n', 'default'], { signal }))
          .code === 0,
      signal,
    );
  } catch (err: unknown) {
    const logs = cluster.logs();
    await cluster.stop().catch((e: unknown) => log.error({ err: e }, 'stopping a failed cluster'));
    release();
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(`local cluster did not start: ${reason}\n${logs}`, {
      cause: err,
    });
  }
  const startMs = Date.now() - began;
  log.info({ server, kubeconfigPath, startMs, nodes: nodes.map((n) => n.name) }, 'local cluster ready');
  return new LocalCluster(stateFile, readState(stateFile), log, {
    owner: true,
    startMs,
    keepDir,
    onStopped: release,
  });
}
