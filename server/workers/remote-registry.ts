// A protocol worker's view of the primary's model repository and metrics (design: ./index.ts).
// get()/list()/ready() answer from the latest snapshot; infer, reload and metrics rendering are
// calls to the primary over the IPC channel.
import type { PortInfo, Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import type { Protocol, RequestTiming, ServerMetrics } from '../protocol/metrics-port.ts';
import type { ReloadResult } from '../protocol/transport-options.ts';
import type { InferOptions, ModelRegistry, ModelState, ServedModel } from '../repository/types.ts';
import {
  deserializeError,
  type RegistrySnapshot,
  type ToPrimary,
  type ToWorker,
  type VersionSnapshot,
} from './ipc-messages.ts';

type Reply = Extract<ToWorker, { id: number }>;

/** Request/response over the IPC channel, matched by id. */
export class PrimaryChannel {
  #send: (message: ToPrimary) => void;
  #nextId = 1;
  #waiting = new Map<number, { resolve: (m: Reply) => void; reject: (e: Error) => void }>();
  served = 0;

  constructor(send: (message: ToPrimary) => void) {
    this.#send = send;
  }

  send(message: ToPrimary): void {
    this.#send(message);
  }

  call(make: (id: number) => ToPrimary, signal?: AbortSignal): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      signal?.addEventListener('abort', () => this.#send({ type: 'cancel', id }), { once: true });
      this.#send(make(id));
    });
  }

  /** Routes a reply from the primary to its caller. */
  deliver(message: Reply): void {
    const waiter = this.#waiting.get(message.id);
    if (waiter === undefined) return;
    this.#waiting.delete(message.id);
    if (message.type === 'reply-error') waiter.reject(deserializeError(message.error));
    else waiter.resolve(message);
  }

  /** Fails every open call (the primary went away). */
  failAll(reason: string): void {
    for (const waiter of this.#waiting.values())
      waiter.reject(new ServerError('OVF_ERR_SERVER_SHUTTING_DOWN', reason));
    this.#waiting.clear();
  }

  get open(): number {
    return this.#waiting.size;
  }
}

/** Tensor bytes as their own compact buffer (a view into a larger message buffer would carry it all). */
function compact(inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, t] of inputs) {
    const whole = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength;
    out.set(name, whole ? t : { elementType: t.elementType, shape: t.shape, data: t.data.slice() });
  }
  return out;
}

class RemoteServedModel implements ServedModel {
  readonly name: string;
  /** The snapshot's version; after infer(), the version that actually ran (the primary may have switched). */
  version: number;
  readonly platform: string;
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  readonly properties: Readonly<Record<string, string>>;
  readonly nireq: number;
  readonly state: ModelState;
  #requested: number | undefined;
  #channel: PrimaryChannel;

  constructor(snapshot: VersionSnapshot, requested: number | undefined, channel: PrimaryChannel) {
    this.name = snapshot.name;
    this.version = snapshot.version;
    this.platform = snapshot.platform;
    this.inputs = snapshot.inputs;
    this.outputs = snapshot.outputs;
    this.properties = snapshot.properties;
    this.nireq = snapshot.nireq;
    this.state = snapshot.state;
    this.#requested = requested;
    this.#channel = channel;
  }

  async infer(inputs: ReadonlyMap<string, Tensor>, options?: InferOptions): Promise<Map<string, Tensor>> {
    const reply = await this.#channel.call(
      (id) => ({
        type: 'infer',
        id,
        name: this.name,
        version: this.#requested,
        preferred: this.version,
        inputs: compact(inputs),
      }),
      options?.signal,
    );
    if (reply.type !== 'infer-result')
      throw new ServerError('OVF_ERR_INTERNAL', `unexpected reply ${reply.type}`);
    this.#channel.served++;
    this.version = reply.version;
    return reply.outputs;
  }
}

export class RemoteRegistry implements ModelRegistry {
  #snapshot: RegistrySnapshot = { ready: false, models: [] };
  #channel: PrimaryChannel;

  constructor(channel: PrimaryChannel) {
    this.#channel = channel;
  }

  update(snapshot: RegistrySnapshot): void {
    this.#snapshot = snapshot;
  }

  get(name: string, version?: number): ServedModel {
    const model = this.#snapshot.models.find((m) => m.name === name);
    if (model === undefined) throw new ServerError('OVF_ERR_MODEL_NOT_FOUND', `model ${name} is not served`);
    const explicit = version !== undefined && version !== 0;
    const versions = [...model.versions].sort((a, b) => a.version - b.version);
    const found = explicit ? versions.find((v) => v.version === version) : versions.at(-1);
    if (found === undefined) {
      if (explicit) {
        throw new ServerError(
          'OVF_ERR_MODEL_VERSION_NOT_FOUND',
          `model ${name} has no served version ${version}`,
        );
      }
      throw new ServerError('OVF_ERR_MODEL_UNAVAILABLE', `model ${name} has no available version`);
    }
    return new RemoteServedModel(found, explicit ? version : undefined, this.#channel);
  }

  list(): readonly { name: string; versions: readonly ServedModel[] }[] {
    return this.#snapshot.models.map((m) => ({
      name: m.name,
      versions: m.versions.map((v) => new RemoteServedModel(v, v.version, this.#channel)),
    }));
  }

  ready(): boolean {
    return this.#snapshot.ready;
  }
}

export class RemoteMetrics implements ServerMetrics {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  #channel: PrimaryChannel;

  constructor(channel: PrimaryChannel) {
    this.#channel = channel;
  }

  onRequest(protocol: Protocol, model: string, version: number, ok: boolean, timing: RequestTiming): void {
    this.#channel.send({ type: 'request-done', protocol, model, version, ok, timing });
  }

  current(): void {}

  async render(): Promise<string> {
    const reply = await this.#channel.call((id) => ({ type: 'metrics-render', id }));
    return reply.type === 'metrics-text' ? reply.text : '';
  }
}

/** POST /v1/config/reload in a worker: the primary reloads. */
export async function reloadInPrimary(channel: PrimaryChannel): Promise<ReloadResult> {
  const reply = await channel.call((id) => ({ type: 'reload', id }));
  if (reply.type !== 'reload-result')
    throw new ServerError('OVF_ERR_INTERNAL', `unexpected reply ${reply.type}`);
  return reply.result;
}
