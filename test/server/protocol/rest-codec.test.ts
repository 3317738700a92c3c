import { describe, expect, it } from 'vitest';
import { ServerError } from '../../../server/errors.ts';
import { buildInputs, resolveOutputs } from '../../../server/protocol/infer-request.ts';
import { encodeRestInferResponse, parseRestInferRequest } from '../../../server/protocol/rest-codec.ts';
import { addOneModel } from './fake-registry.ts';

const model = addOneModel();
const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

function body(header: object, ...binary: Uint8Array[]): { data: Buffer; length: string } {
  const json = Buffer.from(JSON.stringify(header));
  return { data: Buffer.concat([json, ...binary]), length: String(json.byteLength) };
}

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof ServerError && error.code === 'OVF_ERR_REQUEST_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('REST inference request', () => {
  it('reads nested JSON data into little-endian tensor bytes', () => {
    const req = {
      inputs: [
        {
          name: 'x',
          shape: [2, 4],
          datatype: 'FP32',
          data: [
            [1, 2, 3, 4],
            [5, 6, 7, 8],
          ],
        },
      ],
    };
    const parsed = parseRestInferRequest(Buffer.from(JSON.stringify(req)), undefined);
    const tensor = buildInputs(model, parsed.inputs).get('x');
    expect(tensor?.shape).toEqual([2, 4]);
    expect(Buffer.from(tensor?.data ?? []).equals(Buffer.from(f32([1, 2, 3, 4, 5, 6, 7, 8])))).toBe(true);
  });

  it('takes binary tensors after the JSON header (binary-data extension)', () => {
    const { data, length } = body(
      {
        inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }],
        outputs: [{ name: 'y', parameters: { binary_data: true } }, { name: 'n' }],
      },
      f32([9, 8, 7, 6]),
    );
    const parsed = parseRestInferRequest(data, length);
    expect(
      Array.from(
        new Float32Array(Uint8Array.from(buildInputs(model, parsed.inputs).get('x')?.data ?? []).buffer),
      ),
    ).toEqual([9, 8, 7, 6]);
    expect(parsed.outputs).toEqual([
      { name: 'y', options: { binary: true } },
      { name: 'n', options: { binary: false } },
    ]);
  });

  it('names the problem in malformed requests', () => {
    expect(rejection(() => parseRestInferRequest(Buffer.from('{"inputs": ['), undefined))).toMatch(
      /^malformed JSON/,
    );
    expect(rejection(() => parseRestInferRequest(Buffer.from('{"inputs": []}'), undefined))).toContain(
      'inputs',
    );
    const truncated = body(
      { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }] },
      f32([1, 2]),
    );
    expect(rejection(() => parseRestInferRequest(truncated.data, truncated.length))).toBe(
      'input "x": binary_data_size 16 runs past the end of the body (8 bytes left)',
    );
    expect(rejection(() => parseRestInferRequest(truncated.data, '99999'))).toContain(
      'Inference-Header-Content-Length',
    );
    const short = { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3] }] };
    const parsed = parseRestInferRequest(Buffer.from(JSON.stringify(short)), undefined);
    expect(rejection(() => buildInputs(model, parsed.inputs))).toBe(
      'input "x": shape [1,4] needs 4 elements, got 3',
    );
  });

  it('rejects unknown inputs and outputs by name, and missing inputs', () => {
    const req = { inputs: [{ name: 'z', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] };
    const parsed = parseRestInferRequest(Buffer.from(JSON.stringify(req)), undefined);
    expect(rejection(() => buildInputs(model, parsed.inputs))).toBe(
      'input "z": model "add_one" has no such input (inputs: "x")',
    );
    expect(rejection(() => buildInputs(model, []))).toBe('missing input "x" for model "add_one"');
    expect(rejection(() => resolveOutputs(model, [{ name: 'nope', options: {} }], {}))).toContain(
      'output "nope"',
    );
  });

  it('accepts an input by any of its tensor names', () => {
    const req = { inputs: [{ name: 'x_alias', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] };
    const parsed = parseRestInferRequest(Buffer.from(JSON.stringify(req)), undefined);
    expect([...buildInputs(model, parsed.inputs).keys()]).toEqual(['x']);
  });
});

describe('REST inference response', () => {
  const y = { elementType: 'f32' as const, shape: [1, 2], data: f32([1.5, -2]) };
  const n = { elementType: 'i64' as const, shape: [1], data: new Uint8Array(new BigInt64Array([4n]).buffer) };

  it('writes JSON data when no output is binary', () => {
    const answer = encodeRestInferResponse({ name: 'm', version: 3 }, 'req-1', [
      { name: 'y', binary: false, tensor: y },
      { name: 'n', binary: false, tensor: n },
    ]);
    expect(answer.headerLength).toBeUndefined();
    expect(JSON.parse(answer.body.toString())).toEqual({
      id: 'req-1',
      model_name: 'm',
      model_version: '3',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 2], data: [1.5, -2] },
        { name: 'n', datatype: 'INT64', shape: [1], data: [4] },
      ],
    });
  });

  it('appends binary outputs after the JSON header and says where it ends', () => {
    const answer = encodeRestInferResponse({ name: 'm', version: 1 }, undefined, [
      { name: 'y', binary: true, tensor: y },
      { name: 'n', binary: false, tensor: n },
    ]);
    const headerLength = answer.headerLength ?? 0;
    const header = JSON.parse(answer.body.subarray(0, headerLength).toString());
    expect(header.outputs[0]).toEqual({
      name: 'y',
      datatype: 'FP32',
      shape: [1, 2],
      parameters: { binary_data_size: 8 },
    });
    expect(answer.body.subarray(headerLength).equals(Buffer.from(f32([1.5, -2])))).toBe(true);
  });
});
