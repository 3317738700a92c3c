// ModelInfer on the wire ↔ the transport-neutral form: typed `contents` or `raw_input_contents` in,
// `raw_output_contents` out (what Triton does and what tritonclient reads first).
import type { ElementType, PortInfo, Tensor } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import { DATATYPE_OF } from '../protocol/datatypes.ts';
import { encodeValues, hasValueForm, type ValueElementType } from '../protocol/element-values.ts';
import { type DecodedInput, inputLabel } from '../protocol/infer-request.ts';
import { elementCount } from '../protocol/tensor-check.ts';
import type { WireContents, WireInferRequest, WireInferResponse } from './wire-types.ts';

/** Which typed-contents field carries each element type. */
const CONTENTS_FIELD: Record<ValueElementType, keyof WireContents> = {
  boolean: 'bool_contents',
  i8: 'int_contents',
  i16: 'int_contents',
  i32: 'int_contents',
  i64: 'int64_contents',
  u8: 'uint_contents',
  u16: 'uint_contents',
  u32: 'uint_contents',
  u64: 'uint64_contents',
  f32: 'fp32_contents',
  f64: 'fp64_contents',
};

function invalid(message: string): ServerError {
  return new ServerError('OVF_ERR_REQUEST_INVALID', message);
}

function parseShape(shape: readonly string[], where: string): number[] {
  return shape.map((d) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw invalid(`${where}: invalid shape [${shape.join(',')}]`);
    return n;
  });
}

function typedContents(contents: WireContents, shape: readonly number[]) {
  return (port: PortInfo, where: string): Uint8Array => {
    const type: ElementType = port.elementType;
    if (!hasValueForm(type)) {
      throw invalid(
        `${where}: ${DATATYPE_OF[type]} has no typed contents field; send it in raw_input_contents`,
      );
    }
    const field = CONTENTS_FIELD[type];
    const values = contents[field];
    const expected = elementCount(shape);
    if (values.length !== expected) {
      throw invalid(
        `${where}: shape [${shape.join(',')}] needs ${expected} elements in ${field}, got ${values.length}`,
      );
    }
    return encodeValues(type, values, where);
  };
}

/** Decodes the request's inputs; raw_input_contents, when present, must have one entry per input. */
export function decodeGrpcInputs(req: WireInferRequest): DecodedInput[] {
  const raw = req.raw_input_contents;
  if (raw.length > 0 && raw.length !== req.inputs.length) {
    throw invalid(
      `raw_input_contents has ${raw.length} entries for ${req.inputs.length} inputs; give one per input`,
    );
  }
  return req.inputs.map((input, i) => {
    const where = inputLabel(input.name);
    const shape = parseShape(input.shape, where);
    const bytes = raw[i];
    if (bytes !== undefined) {
      if (input.contents !== null && hasAnyContents(input.contents)) {
        throw invalid(`${where}: data given both in contents and in raw_input_contents`);
      }
      return { name: input.name, datatype: input.datatype, shape, data: bytes };
    }
    const contents = input.contents;
    if (contents === null) throw invalid(`${where}: no data (neither contents nor raw_input_contents)`);
    return { name: input.name, datatype: input.datatype, shape, data: typedContents(contents, shape) };
  });
}

function hasAnyContents(c: WireContents): boolean {
  return (
    c.bool_contents.length +
      c.int_contents.length +
      c.int64_contents.length +
      c.uint_contents.length +
      c.uint64_contents.length +
      c.fp32_contents.length +
      c.fp64_contents.length +
      c.bytes_contents.length >
    0
  );
}

export function encodeGrpcResponse(
  model: { name: string; version: number },
  id: string,
  outputs: readonly { name: string; tensor: Tensor }[],
): WireInferResponse {
  return {
    model_name: model.name,
    model_version: String(model.version),
    id,
    outputs: outputs.map(({ name, tensor }) => ({
      name,
      datatype: DATATYPE_OF[tensor.elementType],
      shape: [...tensor.shape],
    })),
    raw_output_contents: outputs.map(({ tensor }) => tensor.data),
  };
}
