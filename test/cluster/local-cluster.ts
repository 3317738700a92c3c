import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type CommandOptions, type CommandResult, runCommand } from './command.ts';
import { type ComponentName, healthProbe, START_ORDER } from './components.ts';
import { callControl } from './control.ts';
import type { FakeNodeSpec } from './fake-nodes.ts';
import type { Cluster } from './harness.ts';
import { isAlive, logTail, spawnDetached, stopGroup } from './processes.ts';
import { type ClusterState, readState, writeState } from './state.ts';
import { waitHealthy } from './wait.ts';

/** How a handle relates to the cluster's processes. */
export interface Lifecycle {
  /** This process started the components (their parent); others ask it to restart them. */
  readonly owner: boolean;
  readonly startMs: number;
  readonly keepDir: boolean;
  readonly onStopped?: () => void;
}

/**
 * Handle on a cluster described by its state.json. Every operation re-reads the file, so handles in
 * different processes (the vitest global setup, test workers, the CLI) stay consistent.
 */
export class LocalCluster implements Cluster {
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
  #owner: boolean;
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
    this.#owner = life.owner;
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
    if (!this.#owner && state.controlUrl !== undefined && isAlive(state.ownerPid)) {
      // The owner restarts it, so that the new process is its child and gets reaped when it stops.
      await callControl(state.controlUrl, 'restart-apiserver', signal);
      return;
    }
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
