// FakeRegistry / FakeModel: a hand-written model registry for transport unit tests. The "model"
// adds 1 to every element of its f32 input `x` (shape [-1, 4] with a dynamic batch) and also returns
// the element count per row as i64 `n`; a second model echoes one input per element type. No OpenVINO
// is involved — the e2e suite covers the real engine.
import { ELEMENT_TYPES, type ElementType, type PortInfo, type Tensor } from '../../../server/engine/types.ts';
import { ServerError } from '../../../server/errors.ts';
import type {
  InferOptions,
  ModelRegistry,
  ModelState,
  ServedModel,
} from '../../../server/repository/types.ts';

type Compute = (
  inputs: ReadonlyMap<string, Tensor>,
  signal: AbortSignal | undefined,
) => Promise<Map<string, Tensor>>;

export function port(
  name: string,
  elementType: ElementType,
  shape: PortInfo['shape'],
  aliases: string[] = [],
): PortInfo {
  return { name, names: [name, ...aliases], elementType, shape };
}

export class FakeModel implements ServedModel {
  readonly name: string;
  readonly version: number;
  readonly platform = 'openvino_ir';
  readonly inputs: readonly PortInfo[];
  readonly outputs: readonly PortInfo[];
  readonly properties = { NUM_STREAMS: '1' };
  readonly nireq = 1;
  state: ModelState = 'AVAILABLE';
  calls = 0;
  readonly #compute: Compute;

  constructor(name: string, version: number, inputs: PortInfo[], outputs: PortInfo[], compute: Compute) {
    this.name = name;
    this.version = version;
    this.inputs = inputs;
    this.outputs = outputs;
    this.#compute = compute;
  }

  infer(inputs: ReadonlyMap<string, Tensor>, options?: InferOptions): Promise<Map<string, Tensor>> {
    this.calls++;
    return this.#compute(inputs, options?.signal);
  }
}

/** x + 1 (f32) and the per-row count n (i64); waits `delayMs` first (abortable). */
export function addOneModel(version = 1, delayMs = 0): FakeModel {
  return new FakeModel(
    'add_one',
    version,
    [port('x', 'f32', [{ min: 1, max: 8 }, 4], ['x_alias'])],
    [port('y', 'f32', [{ min: 1, max: 8 }, 4]), port('n', 'i64', [{ min: 1, max: 8 }])],
    async (inputs, signal) => {
      if (delayMs > 0) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, delayMs);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      }
      const x = inputs.get('x');
      if (x === undefined) throw new ServerError('OVF_ERR_INTERNAL', 'no x');
      const view = new DataView(x.data.buffer, x.data.byteOffset, x.data.byteLength);
      const y = new Uint8Array(x.data.byteLength);
      const yv = new DataView(y.buffer);
      for (let i = 0; i < x.data.byteLength; i += 4) yv.setFloat32(i, view.getFloat32(i, true) + 1, true);
      const rows = x.shape[0] ?? 0;
      const n = new Uint8Array(rows * 8);
      const nv = new DataView(n.buffer);
      for (let r = 0; r < rows; r++) nv.setBigInt64(r * 8, BigInt(x.shape[1] ?? 0), true);
      return new Map([
        ['y', { elementType: 'f32', shape: x.shape, data: y }],
        ['n', { elementType: 'i64', shape: [rows], data: n }],
      ]);
    },
  );
}

export const ECHO_TYPES: readonly ElementType[] = ELEMENT_TYPES.filter((t) => t !== 'bf16');

/** `echo_<type>`: input `in` [3] of that element type, returned unchanged as `out`. */
export function echoModel(elementType: ElementType): FakeModel {
  return new FakeModel(
    `echo_${elementType}`,
    1,
    [port('in', elementType, [3])],
    [port('out', elementType, [3])],
    async (inputs) => {
      const input = inputs.get('in');
      if (input === undefined) throw new ServerError('OVF_ERR_INTERNAL', 'no input');
      return new Map([['out', { ...input, data: input.data.slice() }]]);
    },
  );
}

export class FakeRegistry implements ModelRegistry {
  readonly #models: FakeModel[];
  constructor(models: FakeModel[]) {
    this.#models = models;
  }

  get(name: string, version?: number): ServedModel {
    const versions = this.#models.filter((m) => m.name === name);
    if (versions.length === 0)
      throw new ServerError('OVF_ERR_MODEL_NOT_FOUND', `model ${JSON.stringify(name)} not found`);
    const pick =
      version === undefined
        ? versions.filter((m) => m.state === 'AVAILABLE').sort((a, b) => b.version - a.version)[0]
        : versions.find((m) => m.version === version);
    if (pick === undefined) {
      throw new ServerError(
        'OVF_ERR_MODEL_VERSION_NOT_FOUND',
        `model ${JSON.stringify(name)} has no version ${version}`,
      );
    }
    return pick;
  }

  list(): readonly { name: string; versions: readonly ServedModel[] }[] {
    const names = [...new Set(this.#models.map((m) => m.name))];
    return names.map((name) => ({ name, versions: this.#models.filter((m) => m.name === name) }));
  }

  ready(): boolean {
    return this.#models.every((m) => m.state === 'AVAILABLE');
  }
}
