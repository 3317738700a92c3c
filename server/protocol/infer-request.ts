// The transport-neutral part of an inference: input tensors checked against the model, requested
// outputs resolved to the model's output names, versions parsed. gRPC and REST both decode their wire
// form into `DecodedInput`s and call these.
import type { PortInfo, Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import type { ModelRegistry, ServedModel } from '../repository/types.ts';
import { checkByteCount, checkTensor } from './tensor-check.ts';

export interface DecodedInput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  /** Raw little-endian bytes, or a function producing them once the element type is known. */
  readonly data: Uint8Array | ((port: PortInfo, where: string) => Uint8Array);
}

/** `input "x"` — how errors name a tensor. */
export function inputLabel(name: string): string {
  return `input ${JSON.stringify(name)}`;
}

/**
 * Parses a model version as clients send it: '' (or absent) → the server's choice, else a positive
 * integer.
 */
export function parseVersion(model: string, version: string | undefined): number | undefined {
  if (version === undefined || version === '') return undefined;
  if (!/^\d+$/.test(version) || Number(version) < 1 || !Number.isSafeInteger(Number(version))) {
    throw new ServerError(
      'OVF_ERR_MODEL_VERSION_NOT_FOUND',
      `model ${JSON.stringify(model)}: version ${JSON.stringify(version)} is not a positive integer`,
    );
  }
  return Number(version);
}

export function lookupModel(registry: ModelRegistry, name: string, version: string | undefined): ServedModel {
  if (name === '') throw new ServerError('OVF_ERR_REQUEST_INVALID', 'model name is empty');
  return registry.get(name, parseVersion(name, version));
}

function findPort(ports: readonly PortInfo[], name: string): PortInfo | undefined {
  return ports.find((p) => p.name === name) ?? ports.find((p) => p.names.includes(name));
}

function portNames(ports: readonly PortInfo[]): string {
  return ports.map((p) => JSON.stringify(p.name)).join(', ');
}

/** Checks every input against the model and returns them keyed by the model's primary input names. */
export function buildInputs(model: ServedModel, inputs: readonly DecodedInput[]): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const input of inputs) {
    const where = inputLabel(input.name);
    const port = findPort(model.inputs, input.name);
    if (port === undefined) {
      throw new ServerError(
        'OVF_ERR_REQUEST_INVALID',
        `${where}: model ${JSON.stringify(model.name)} has no such input (inputs: ${portNames(model.inputs)})`,
      );
    }
    if (tensors.has(port.name)) {
      throw new ServerError('OVF_ERR_REQUEST_INVALID', `${where}: given more than once`);
    }
    const elementType = checkTensor(port, input.datatype, input.shape, where);
    const data = typeof input.data === 'function' ? input.data(port, where) : input.data;
    checkByteCount(elementType, input.shape, data.byteLength, where);
    tensors.set(port.name, { elementType, shape: input.shape, data });
  }
  const missing = model.inputs.filter((p) => !tensors.has(p.name));
  if (missing.length > 0) {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `missing ${missing.length === 1 ? 'input' : 'inputs'} ${portNames(missing)} for model ${JSON.stringify(model.name)}`,
    );
  }
  return tensors;
}

/**
 * The classification extension (`class_count`) turns an output into top-k labels; the server does not
 * implement it, so asking for it is an error rather than a silently different answer.
 */
export function rejectClassification(output: string, classes: unknown): void {
  if (classes === undefined || classes === null || classes === 0 || classes === '0') return;
  throw new ServerError(
    'OVF_ERR_REQUEST_INVALID',
    `output ${JSON.stringify(output)}: the classification extension (class_count ${String(classes)}) is not supported; request the raw output`,
  );
}

export interface ResolvedOutput<T> {
  /** Name the client used (echoed in the response). */
  readonly name: string;
  /** The model's primary output name (the key in infer()'s result). */
  readonly key: string;
  /** Transport-specific per-output options (e.g. REST's binary_data). */
  readonly options: T;
}

/**
 * The outputs to return: the requested ones in request order, or every model output. An unknown
 * name is an INVALID_ARGUMENT naming it.
 */
export function resolveOutputs<T>(
  model: ServedModel,
  requested: readonly { name: string; options: T }[],
  defaults: T,
): ResolvedOutput<T>[] {
  if (requested.length === 0) {
    return model.outputs.map((p) => ({ name: p.name, key: p.name, options: defaults }));
  }
  return requested.map((r) => {
    const port = findPort(model.outputs, r.name);
    if (port === undefined) {
      throw new ServerError(
        'OVF_ERR_REQUEST_INVALID',
        `output ${JSON.stringify(r.name)}: model ${JSON.stringify(model.name)} has no such output (outputs: ${portNames(model.outputs)})`,
      );
    }
    return { name: r.name, key: port.name, options: r.options };
  });
}

/** Picks the resolved outputs from infer()'s result (an engine that omits one is an internal error). */
export function pickOutputs<T>(
  results: ReadonlyMap<string, Tensor>,
  outputs: readonly ResolvedOutput<T>[],
): { output: ResolvedOutput<T>; tensor: Tensor }[] {
  return outputs.map((output) => {
    const tensor = results.get(output.key);
    if (tensor === undefined) {
      throw new ServerError(
        'OVF_ERR_INTERNAL',
        `inference returned no tensor for output ${JSON.stringify(output.key)}`,
      );
    }
    return { output, tensor };
  });
}
