// REST (HTTP/JSON) inference: the request body — JSON alone, or a JSON header followed by binary
// tensor data (the binary-data extension, `Inference-Header-Content-Length`) — into DecodedInputs,
// and outputs back into a JSON or JSON+binary response.
import { z } from 'zod';
import type { PortInfo, Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import { DATATYPE_OF } from './datatypes.ts';
import { decodeValues, encodeValues, hasValueForm, valuesToJson } from './element-values.ts';
import { type DecodedInput, inputLabel, rejectClassification } from './infer-request.ts';
import { elementCount } from './tensor-check.ts';

const parameterValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const parameters = z.record(z.string(), parameterValue);

const inputSchema = z.object({
  name: z.string(),
  shape: z.array(z.int().min(0)),
  datatype: z.string(),
  parameters: parameters.optional(),
  data: z.unknown().optional(),
});

const outputSchema = z.object({
  name: z.string(),
  parameters: parameters.optional(),
});

const requestSchema = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(inputSchema).min(1),
  outputs: z.array(outputSchema).optional(),
});

export interface RestOutputOptions {
  readonly binary: boolean;
}

export interface RestInferRequest {
  readonly id: string | undefined;
  readonly inputs: DecodedInput[];
  readonly outputs: { name: string; options: RestOutputOptions }[];
  /** Whether outputs not listed explicitly come back as binary (`binary_data_output`). */
  readonly binaryByDefault: boolean;
}

function invalid(message: string, cause?: unknown): ServerError {
  return new ServerError('OVF_ERR_REQUEST_INVALID', message, cause === undefined ? undefined : { cause });
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return `${path === '' ? 'request' : path}: ${issue?.message ?? 'invalid'}`;
}

/** Flattens nested JSON arrays of any depth (row-major). */
function flatten(data: unknown, where: string): unknown[] {
  if (!Array.isArray(data)) throw invalid(`${where}: "data" must be an array`);
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else out.push(value);
  };
  walk(data);
  return out;
}

function jsonTensorData(data: unknown, shape: readonly number[]) {
  return (port: PortInfo, where: string): Uint8Array => {
    if (!hasValueForm(port.elementType)) {
      throw invalid(
        `${where}: ${DATATYPE_OF[port.elementType]} data must be sent as binary (parameters.binary_data_size), not JSON`,
      );
    }
    const values = flatten(data, where);
    const expected = elementCount(shape);
    if (values.length !== expected) {
      throw invalid(`${where}: shape [${shape.join(',')}] needs ${expected} elements, got ${values.length}`);
    }
    return encodeValues(port.elementType, values, where);
  };
}

/**
 * Parses an inference request body. `headerLength` is the Inference-Header-Content-Length header
 * (undefined: the whole body is JSON).
 */
export function parseRestInferRequest(body: Uint8Array, headerLength: string | undefined): RestInferRequest {
  let jsonEnd = body.byteLength;
  if (headerLength !== undefined) {
    const n = /^\d+$/.test(headerLength.trim()) ? Number(headerLength) : Number.NaN;
    if (!Number.isSafeInteger(n) || n > body.byteLength) {
      throw invalid(
        `Inference-Header-Content-Length ${JSON.stringify(headerLength)} is not a length within the ${body.byteLength}-byte body`,
      );
    }
    jsonEnd = n;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body.buffer, body.byteOffset, jsonEnd).toString('utf8'));
  } catch (error: unknown) {
    throw invalid(
      `malformed JSON in request body: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) throw invalid(`invalid inference request: ${zodMessage(parsed.error)}`, parsed.error);
  const req = parsed.data;

  let offset = jsonEnd;
  const inputs: DecodedInput[] = req.inputs.map((input) => {
    const where = inputLabel(input.name);
    const size = input.parameters?.binary_data_size;
    if (size !== undefined && size !== null) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw invalid(`${where}: parameters.binary_data_size must be a non-negative integer`);
      }
      if (offset + size > body.byteLength) {
        throw invalid(
          `${where}: binary_data_size ${size} runs past the end of the body (${body.byteLength - offset} bytes left)`,
        );
      }
      const data = body.subarray(offset, offset + size);
      offset += size;
      return { name: input.name, datatype: input.datatype, shape: input.shape, data };
    }
    if (input.data === undefined)
      throw invalid(`${where}: neither "data" nor parameters.binary_data_size given`);
    return {
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      data: jsonTensorData(input.data, input.shape),
    };
  });
  if (offset !== body.byteLength) {
    throw invalid(`request body has ${body.byteLength - offset} bytes after the last input's binary data`);
  }
  const binaryByDefault = req.parameters?.binary_data_output === true;
  const outputs = (req.outputs ?? []).map((o) => {
    rejectClassification(o.name, o.parameters?.classification);
    const flag = o.parameters?.binary_data;
    return { name: o.name, options: { binary: typeof flag === 'boolean' ? flag : binaryByDefault } };
  });
  return { id: req.id, inputs, outputs, binaryByDefault };
}

export interface RestInferResponse {
  /** The response body (JSON, or JSON header + binary tensors). */
  readonly body: Buffer;
  /** Set when binary outputs follow the JSON header. */
  readonly headerLength: number | undefined;
}

/** Builds the response body; outputs the client wanted binary (or FP16/BF16, which have no JSON form) go binary. */
export function encodeRestInferResponse(
  model: { name: string; version: number },
  id: string | undefined,
  outputs: readonly { name: string; binary: boolean; tensor: Tensor }[],
): RestInferResponse {
  const parts: string[] = [];
  const binaries: Uint8Array[] = [];
  for (const { name, binary, tensor } of outputs) {
    const head = `{"name":${JSON.stringify(name)},"datatype":"${DATATYPE_OF[tensor.elementType]}","shape":[${tensor.shape.join(',')}]`;
    if (binary || !hasValueForm(tensor.elementType)) {
      parts.push(`${head},"parameters":{"binary_data_size":${tensor.data.byteLength}}}`);
      binaries.push(tensor.data);
    } else {
      parts.push(`${head},"data":${valuesToJson(decodeValues(tensor.elementType, tensor.data))}}`);
    }
  }
  const idPart = id === undefined ? '' : `"id":${JSON.stringify(id)},`;
  const json = `{${idPart}"model_name":${JSON.stringify(model.name)},"model_version":"${model.version}","outputs":[${parts.join(',')}]}`;
  if (binaries.length === 0) return { body: Buffer.from(json), headerLength: undefined };
  const header = Buffer.from(json);
  return { body: Buffer.concat([header, ...binaries]), headerLength: header.byteLength };
}
