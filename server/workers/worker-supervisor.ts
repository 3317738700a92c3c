// The primary's side of the protocol workers: forks them (node:cluster), answers their inference,
// reload and metrics calls against the one model repository, keeps their repository snapshots
// current, replaces a worker that dies, and stops them gracefully. Design: see ./index.ts.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ServerSettings } from '../config.ts';
import type { Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import type { OvmsMetrics } from '../metrics.ts';
import type { ModelRepository } from '../repository/model-repository.ts';
import type { ModelRegistry, ServedModel } from '../repository/types.ts';
import { type RegistrySnapshot, serializeError, type ToPrimary, type ToWorker } from './ipc-messages.ts';
import type { WorkerPlan, WorkerRole } from './worker-plan.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

export interface SupervisorOptions {
  readonly plan: WorkerPlan;
  readonly settings: ServerSettings;
  readonly repository: ModelRepository;
  readonly metrics: OvmsMetrics;
  readonly logger: Logger;
}

interface Slot {
  readonly index: number;
  readonly role: WorkerRole;
  worker: Worker;
  readonly pending: Map<number, AbortController>;
  served: number;
}

export function snapshotOf(repository: ModelRepository): RegistrySnapshot {
  return {
    ready: repository.ready(),
    models: repository.list().map(({ name, versions }) => ({
      name,
      versions: versions.map((v) => ({
        name: v.name,
        version: v.version,
        platform: v.platform,
        inputs: v.inputs,
        outputs: v.outputs,
        properties: v.properties,
        nireq: v.nireq,
        state: v.state,
      })),
    })),
  };
}

/**
 * The served version for a worker's request: the one the client named; for a default-version
 * request the one the worker's snapshot showed (so the metadata it validated against still holds)
 * while it is served, else the latest.
 */
export function pickVersion(
  repository: Pick<ModelRegistry, 'get'>,
  name: string,
  version: number | undefined,
  preferred: number,
): ServedModel {
  if (version !== undefined) return repository.get(name, version);
  const latest = repository.get(name);
  if (latest.version === preferred) return latest;
  try {
    return repository.get(name, preferred);
  } catch {
    return latest;
  }
}

export class WorkerSupervisor {
  #options: SupervisorOptions;
  #logger: Logger;
  #slots: Slot[] = [];
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'workers' });
  }

  /** Forks every worker and resolves with the ports they listen on once all of them do. */
  async start(): Promise<{ grpcPort: number | undefined; restPort: number | undefined }> {
    cluster.setupPrimary({ exec: WORKER_ENTRY, serialization: 'advanced', silent: false });
    const started = this.#options.plan.workers.map((role, index) => this.#fork(index, role));
    const ports = await Promise.all(started);
    return {
      grpcPort: ports.find((p) => p.grpcPort !== undefined)?.grpcPort,
      restPort: ports.find((p) => p.restPort !== undefined)?.restPort,
    };
  }

  #fork(
    index: number,
    role: WorkerRole,
  ): Promise<{ grpcPort: number | undefined; restPort: number | undefined }> {
    const worker = cluster.fork();
    const slot: Slot = { index, role, worker, pending: new Map(), served: 0 };
    this.#slots[index] = slot;
    const send = (message: ToWorker): void => {
      if (worker.isConnected()) worker.send(message);
    };
    // A worker that went away mid-send (EPIPE) is reported through 'exit'; nothing to do here.
    worker.on('error', (error: Error) =>
      this.#logger.debug({ err: error, worker: index }, 'worker channel error'),
    );
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('online', () => {
        send({ type: 'init', index, role, settings: this.#options.settings });
      });
      worker.on('message', (message: ToPrimary) => {
        if (message.type === 'listening') {
          listening = true;
          send({ type: 'snapshot', snapshot: snapshotOf(this.#options.repository) });
          this.#logger.info({ worker: index, pid: worker.process.pid, ...role }, 'worker listening');
          resolve({ grpcPort: message.grpcPort, restPort: message.restPort });
          return;
        }
        if (message.type === 'start-failed') {
          reject(new ServerError(message.error.code, `worker ${index}: ${message.error.message}`));
          return;
        }
        this.#handle(slot, message, send);
      });
      worker.on('exit', (code, signal) => {
        for (const controller of slot.pending.values()) controller.abort();
        slot.pending.clear();
        if (!listening) {
          reject(
            new ServerError('OVF_ERR_INTERNAL', `worker ${index} exited before listening (code ${code})`),
          );
          return;
        }
        if (this.#stopping) return;
        this.#logger.error({ worker: index, code, signal }, 'worker died; starting a replacement');
        this.#fork(index, role).catch((error: unknown) => {
          this.#logger.error({ err: error, worker: index }, 'replacement worker failed to start');
        });
      });
    });
  }

  #handle(slot: Slot, message: ToPrimary, send: (m: ToWorker) => void): void {
    const { repository, metrics } = this.#options;
    switch (message.type) {
      case 'infer': {
        const controller = new AbortController();
        slot.pending.set(message.id, controller);
        const run = async (): Promise<{ version: number; outputs: Map<string, Tensor> }> => {
          const model = pickVersion(repository, message.name, message.version, message.preferred);
          return {
            version: model.version,
            outputs: await model.infer(message.inputs, { signal: controller.signal }),
          };
        };
        run()
          .then(
            ({ version, outputs }) => send({ type: 'infer-result', id: message.id, version, outputs }),
            (error: unknown) => send({ type: 'reply-error', id: message.id, error: serializeError(error) }),
          )
          .finally(() => slot.pending.delete(message.id));
        break;
      }
      case 'cancel':
        slot.pending.get(message.id)?.abort();
        break;
      case 'reload':
        repository.reload('request').then(
          (result) => send({ type: 'reload-result', id: message.id, result }),
          (error: unknown) => send({ type: 'reply-error', id: message.id, error: serializeError(error) }),
        );
        break;
      case 'metrics-render':
        metrics.render().then(
          (text) => send({ type: 'metrics-text', id: message.id, text }),
          (error: unknown) => send({ type: 'reply-error', id: message.id, error: serializeError(error) }),
        );
        break;
      case 'request-done':
        metrics.onRequest(message.protocol, message.model, message.version, message.ok, message.timing);
        break;
      case 'stats':
        slot.served = message.served;
        break;
      case 'listening':
      case 'start-failed':
        break;
    }
  }

  /** Sends every worker the repository's current state (after start, reloads and shutdown). */
  broadcast(): void {
    const snapshot = snapshotOf(this.#options.repository);
    for (const slot of this.#slots)
      if (slot.worker.isConnected()) slot.worker.send({ type: 'snapshot', snapshot });
  }

  /** Asks every worker to stop accepting and finish in-flight requests; resolves when all exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exits = this.#slots.map(
      (slot) =>
        new Promise<void>((resolve) => {
          if (slot.worker.isDead()) {
            resolve();
            return;
          }
          slot.worker.once('exit', () => resolve());
          if (slot.worker.isConnected()) slot.worker.send({ type: 'shutdown' } satisfies ToWorker);
          else slot.worker.process.kill('SIGKILL');
        }),
    );
    await Promise.all(exits);
    this.#logger.info(
      {
        served: this.#slots.map((s) => ({ worker: s.index, pid: s.worker.process.pid, requests: s.served })),
      },
      'workers stopped',
    );
  }
}
