import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { type CommandOptions, type CommandResult, runCommand } from './command.ts';
import {
  type ComponentContext,
  type ComponentName,
  componentArgv,
  healthProbe,
  KWOK_STAGES_FILE,
  START_ORDER,
} from './components.ts';
import { loadClusterConfig } from './config.ts';
import { DEFAULT_FAKE_NODES, type FakeNodeSpec, fakeNodeList } from './fake-nodes.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createPki } from './pki.ts';
import { freePorts, isAlive, killGroupsNow, logTail, spawnDetached, stopGroup } from './processes.ts';
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
  /** Milliseconds from the first spawn to every fake node Ready (0 when attached). */
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
  /**
   * Leave the components running when this process exits without stop() (the CLI's `start --detach`).
   * By default they are killed then, so that a crashed test run leaves nothing behind.
   */
  readonly outliveProcess?: boolean;
}

interface Lifecycle {
  readonly startMs: number;
  readonly keepDir: boolean;
  readonly onStopped?: () => void;
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

class LocalCluster implements Cluster {
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly dir: string;
  readonly stateFile: string;
  readonly binDir: string;
  readonly startMs: number;
  readonly nodes: readonly FakeNodeSpec[];
  #log: Logger;
  #keepDir: boolean;
  #onStopped: () => void;
  #stopped = false;

  constructor(stateFile: string, state: ClusterState, log: Logger, life: Lifecycle) {
    this.stateFile = stateFile;
    this.kubeconfigPath = state.kubeconfigPath;
    this.server = state.server;
    this.dir = state.dir;
    this.binDir = state.binDir;
    this.nodes = state.nodes;
    this.startMs = life.startMs;
    this.#log = log;
    this.#keepDir = life.keepDir;
    this.#onStopped = life.onStopped ?? (() => {});
  }

  kubectlResult(args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
    return runCommand([join(this.binDir, 'kubectl'), `--kubeconfig=${this.kubeconfigPath}`, ...args], opts);
  }

  async kubectl(args: readonly string[], opts: CommandOptions = {}): Promise<string> {
    const result = await this.kubectlResult(args, opts);
    if (result.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  pids(): number[] {
    if (!existsSync(this.stateFile)) return [];
    const state = readState(this.stateFile);
    return START_ORDER.map((name) => state.components[name]?.pid).filter(
      (pid): pid is number => pid !== undefined && isAlive(pid),
    );
  }

  logs(): string {
    return START_ORDER.map(
      (name) => `--- ${name}\n${logTail(join(this.dir, 'logs', `${name}.log`), 2_000)}`,
    ).join('\n');
  }

  async restartApiServer(signal: AbortSignal = AbortSignal.timeout(120_000)): Promise<void> {
    const state = readState(this.stateFile);
    const apiserver = state.components['kube-apiserver'];
    if (apiserver === undefined) throw new Error(`no kube-apiserver in ${this.stateFile}`);
    this.#log.info({ pid: apiserver.pid }, 'restarting kube-apiserver');
    await stopGroup(apiserver.pid);
    const pid = spawnDetached(apiserver.argv, apiserver.log);
    writeState(this.stateFile, {
      ...state,
      components: { ...state.components, 'kube-apiserver': { ...apiserver, pid } },
    });
    await waitHealthy('kube-apiserver', pid, healthProbe('kube-apiserver', state.ports), state, signal);
    this.#log.info({ pid }, 'kube-apiserver ready again');
  }

  async stop(): Promise<void> {
    if (this.#stopped || !existsSync(this.stateFile)) return;
    this.#stopped = true;
    const state = readState(this.stateFile);
    // Reverse start order: clients of the API server first, etcd last.
    const clients: ComponentName[] = ['kwok', 'kube-scheduler', 'kube-controller-manager'];
    await Promise.all(clients.map((name) => stopIfPresent(state, name)));
    await stopIfPresent(state, 'kube-apiserver');
    await stopIfPresent(state, 'etcd');
    if (this.#keepDir) this.#log.info({ dir: this.dir }, 'cluster stopped; directory kept');
    else await rm(this.dir, { recursive: true, force: true });
    this.#onStopped();
  }
}

async function stopIfPresent(state: ClusterState, name: ComponentName): Promise<void> {
  const pid = state.components[name]?.pid;
  if (pid !== undefined) await stopGroup(pid);
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
  return new LocalCluster(stateFile, state, log, { startMs: 0, keepDir: opts.keepDir ?? false });
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
  await Promise.all(['pki', 'logs', 'etcd-data'].map((d) => mkdir(join(dir, d), { recursive: true })));

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
  await Promise.all([
    writeKubeconfig({
      path: kubeconfigPath,
      server,
      caCert: pki.ca.cert,
      client: pki.clients.admin,
      user: 'admin',
    }),
    writeKubeconfig({
      path: kubeconfigs.controllerManager,
      server,
      caCert: pki.ca.cert,
      client: pki.clients['controller-manager'],
      user: 'system:kube-controller-manager',
    }),
    writeKubeconfig({
      path: kubeconfigs.scheduler,
      server,
      caCert: pki.ca.cert,
      client: pki.clients.scheduler,
      user: 'system:kube-scheduler',
    }),
    writeKubeconfig({
      path: kubeconfigs.kwok,
      server,
      caCert: pki.ca.cert,
      client: pki.clients.kwok,
      user: 'kwok',
    }),
  ]);

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
    components: {},
  };
  writeState(stateFile, state);
  const onExit = (): void => {
    // Last resort when the owning process dies without stop(): no component may outlive it.
    if (!existsSync(stateFile)) return;
    killGroupsNow(Object.values(readState(stateFile).components).map((c) => c.pid));
  };
  if (opts.outliveProcess !== true) process.once('exit', onExit);
  const context: ComponentContext = { binDir, dir, ports, pki, kubeconfigs };
  const keepDir = opts.keepDir ?? false;
  const cluster = new LocalCluster(stateFile, state, log, { startMs: 0, keepDir });

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
    process.removeListener('exit', onExit);
    throw new Error(
      `local cluster did not start: ${err instanceof Error ? err.message : String(err)}\n${logs}`,
      {
        cause: err,
      },
    );
  }
  const startMs = Date.now() - began;
  log.info({ server, kubeconfigPath, startMs, nodes: nodes.map((n) => n.name) }, 'local cluster ready');
  return new LocalCluster(stateFile, readState(stateFile), log, {
    startMs,
    keepDir,
    onStopped: () => process.removeListener('exit', onExit),
  });
}
