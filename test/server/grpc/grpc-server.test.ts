// gRPC transport against FakeRegistry (no OpenVINO): a grpc-js client built from our own proto
// checks each method, both data forms, and that bad requests get the right status while the
// server keeps serving. tritonclient's view is in test/e2e.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSettings } from '../../../server/config.ts';
import { createGrpcServer, LOADER_OPTIONS, PROTO_PATH } from '../../../server/grpc/grpc-server.ts';
import type { TransportServer } from '../../../server/protocol/transport-options.ts';
import { addOneModel, ECHO_TYPES, echoModel, FakeRegistry } from '../protocol/fake-registry.ts';

type Callback = (error: grpc.ServiceError | null, value: Record<string, unknown>) => void;
type Client = grpc.Client & Record<string, (req: unknown, options: grpc.CallOptions, cb: Callback) => void>;

const slow = addOneModel(2, 400);
const registry = new FakeRegistry([addOneModel(1), slow, ...ECHO_TYPES.map(echoModel)]);
let server: TransportServer;
let client: Client;

function call(method: string, request: unknown, deadlineMs = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    client[method]?.(request, { deadline: Date.now() + deadlineMs }, (error, value) =>
      error ? reject(error) : resolve(value),
    );
  });
}

async function status(
  method: string,
  request: unknown,
  deadlineMs?: number,
): Promise<{ code: number; details: string }> {
  try {
    await call(method, request, deadlineMs);
  } catch (error: unknown) {
    const e = error as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error(`${method} succeeded but was expected to fail`);
}

const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);
const x = (shape: number[]) => ({ name: 'x', datatype: 'FP32', shape });

beforeAll(async () => {
  const settings = serverSettings({
    model_name: 'add_one',
    model_path: '/unused',
    grpc_bind_address: '127.0.0.1',
    max_message_bytes: 64 * 1024,
  });
  server = createGrpcServer({ registry, settings, logger: pino({ level: 'silent' }), port: 0 });
  const port = await server.listen();
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS));
  const inference = pkg.inference as Record<string, typeof grpc.Client>;
  const Service = inference.GRPCInferenceService as unknown as new (
    address: string,
    credentials: grpc.ChannelCredentials,
    options: object,
  ) => Client;
  client = new Service(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 1024 * 1024,
  });
});

afterAll(async () => {
  client.close();
  await server.close(false);
});

describe('gRPC health and metadata', () => {
  it('answers liveness, readiness and server metadata', async () => {
    expect(await call('ServerLive', {})).toMatchObject({ live: true });
    expect(await call('ServerReady', {})).toMatchObject({ ready: true });
    expect(await call('ServerMetadata', {})).toMatchObject({
      name: 'ovfleet-server',
      extensions: ['binary_tensor_data'],
    });
    expect(await call('ModelReady', { name: 'add_one', version: '2' })).toMatchObject({ ready: true });
  });

  it('describes a model with dynamic dimensions as -1 and lists its versions', async () => {
    const meta = await call('ModelMetadata', { name: 'add_one' });
    expect(meta).toMatchObject({
      name: 'add_one',
      versions: ['1', '2'],
      platform: 'openvino_ir',
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['-1', '4'] }],
      outputs: [
        { name: 'y', datatype: 'FP32', shape: ['-1', '4'] },
        { name: 'n', datatype: 'INT64', shape: ['-1'] },
      ],
    });
  });

  it('answers NOT_FOUND for unknown models and versions', async () => {
    expect(await status('ModelMetadata', { name: 'nope' })).toMatchObject({ code: grpc.status.NOT_FOUND });
    expect(await call('ModelReady', { name: 'add_one', version: '7' })).toMatchObject({ ready: false });
    expect(await call('ModelReady', { name: 'nope' })).toMatchObject({ ready: false });
    expect(
      (await status('ModelInfer', { model_name: 'add_one', model_version: 'abc', inputs: [x([1, 4])] }))
        .details,
    ).toContain('version "abc"');
  });
});

describe('gRPC ModelInfer', () => {
  it('infers from raw_input_contents and answers raw_output_contents', async () => {
    const res = await call('ModelInfer', {
      model_name: 'add_one',
      model_version: '1',
      id: 'r1',
      inputs: [x([2, 4])],
      raw_input_contents: [f32([1, 2, 3, 4, 5, 6, 7, 8])],
    });
    expect(res).toMatchObject({ model_name: 'add_one', model_version: '1', id: 'r1' });
    expect(res.outputs).toMatchObject([
      { name: 'y', datatype: 'FP32', shape: ['2', '4'] },
      { name: 'n', datatype: 'INT64', shape: ['2'] },
    ]);
    const [y, n] = res.raw_output_contents as Buffer[];
    expect(Array.from(new Float32Array(Uint8Array.from(y ?? []).buffer))).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(new BigInt64Array(Uint8Array.from(n ?? []).buffer))).toEqual([4n, 4n]);
  });

  it('infers from typed contents and returns only the requested outputs', async () => {
    const res = await call('ModelInfer', {
      model_name: 'add_one',
      inputs: [{ ...x([1, 4]), contents: { fp32_contents: [0.5, 1, 1.5, 2] } }],
      outputs: [{ name: 'n' }],
    });
    expect(res.model_version).toBe('2');
    expect(res.outputs).toMatchObject([{ name: 'n', datatype: 'INT64', shape: ['1'] }]);
  });

  // Each datatype: the typed-contents field it travels in, values, and the same values as raw bytes.
  const cases: [string, string, string, unknown[], Buffer][] = [
    ['boolean', 'BOOL', 'bool_contents', [true, false, true], Buffer.from([1, 0, 1])],
    ['i8', 'INT8', 'int_contents', [-128, 0, 127], Buffer.from(Int8Array.of(-128, 0, 127).buffer)],
    ['i16', 'INT16', 'int_contents', [-32768, 1, 32767], Buffer.from(Int16Array.of(-32768, 1, 32767).buffer)],
    ['i32', 'INT32', 'int_contents', [-5, 6, 7], Buffer.from(Int32Array.of(-5, 6, 7).buffer)],
    [
      'i64',
      'INT64',
      'int64_contents',
      ['-9007199254740993', '0', '9007199254740993'],
      Buffer.from(BigInt64Array.of(-9007199254740993n, 0n, 9007199254740993n).buffer),
    ],
    ['u8', 'UINT8', 'uint_contents', [0, 128, 255], Buffer.from([0, 128, 255])],
    ['u16', 'UINT16', 'uint_contents', [0, 1, 65535], Buffer.from(Uint16Array.of(0, 1, 65535).buffer)],
    [
      'u32',
      'UINT32',
      'uint_contents',
      [0, 1, 4294967295],
      Buffer.from(Uint32Array.of(0, 1, 4294967295).buffer),
    ],
    [
      'u64',
      'UINT64',
      'uint64_contents',
      ['18446744073709551615', '1', '2'],
      Buffer.from(BigUint64Array.of(18446744073709551615n, 1n, 2n).buffer),
    ],
    ['f32', 'FP32', 'fp32_contents', [0.25, -1, 3], Buffer.from(Float32Array.of(0.25, -1, 3).buffer)],
    ['f64', 'FP64', 'fp64_contents', [1e-300, -2, 3], Buffer.from(Float64Array.of(1e-300, -2, 3).buffer)],
  ];

  it.each(cases)(
    'carries %s as typed contents and as raw bytes',
    async (type, datatype, field, values, bytes) => {
      const typed = await call('ModelInfer', {
        model_name: `echo_${type}`,
        inputs: [{ name: 'in', datatype, shape: [3], contents: { [field]: values } }],
      });
      expect(typed.outputs).toMatchObject([{ name: 'out', datatype, shape: ['3'] }]);
      expect((typed.raw_output_contents as Buffer[])[0]?.equals(bytes)).toBe(true);
      const raw = await call('ModelInfer', {
        model_name: `echo_${type}`,
        inputs: [{ name: 'in', datatype, shape: [3] }],
        raw_input_contents: [bytes],
      });
      expect((raw.raw_output_contents as Buffer[])[0]?.equals(bytes)).toBe(true);
    },
  );

  it('carries FP16 raw, and says so when it comes as typed contents', async () => {
    const half = Buffer.from([0x00, 0x3c, 0x00, 0x40, 0x00, 0xc0]); // 1, 2, -2
    const raw = await call('ModelInfer', {
      model_name: 'echo_f16',
      inputs: [{ name: 'in', datatype: 'FP16', shape: [3] }],
      raw_input_contents: [half],
    });
    expect((raw.raw_output_contents as Buffer[])[0]?.equals(half)).toBe(true);
    const typed = await status('ModelInfer', {
      model_name: 'echo_f16',
      inputs: [{ name: 'in', datatype: 'FP16', shape: [3], contents: { fp32_contents: [1, 2, -2] } }],
    });
    expect(typed).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'input "in": FP16 has no typed contents field; send it in raw_input_contents',
    });
  });
});

describe('gRPC bad input', () => {
  const bad: [string, object, number, string][] = [
    [
      'wrong shape',
      { inputs: [x([1, 5])], raw_input_contents: [f32([1, 2, 3, 4, 5])] },
      3,
      'input "x": expected shape [1..8,4], got [1,5]',
    ],
    [
      'wrong datatype',
      { inputs: [{ name: 'x', datatype: 'INT32', shape: [1, 4] }], raw_input_contents: [f32([1, 2, 3, 4])] },
      3,
      'input "x": expected datatype FP32, got INT32',
    ],
    [
      'byte count',
      { inputs: [x([1, 4])], raw_input_contents: [f32([1, 2, 3])] },
      3,
      'input "x": shape [1,4] of FP32 needs 16 bytes, got 12',
    ],
    [
      'unknown output',
      { inputs: [x([1, 4])], raw_input_contents: [f32([1, 2, 3, 4])], outputs: [{ name: 'zz' }] },
      3,
      'output "zz"',
    ],
    [
      'unknown input',
      { inputs: [{ name: 'q', datatype: 'FP32', shape: [1, 4] }], raw_input_contents: [f32([1, 2, 3, 4])] },
      3,
      'input "q": model "add_one" has no such input',
    ],
    [
      'raw count',
      { inputs: [x([1, 4])], raw_input_contents: [f32([1, 2, 3, 4]), f32([1])] },
      3,
      'raw_input_contents has 2 entries for 1 inputs',
    ],
    [
      'element count',
      { inputs: [{ ...x([1, 4]), contents: { fp32_contents: [1] } }] },
      3,
      'needs 4 elements in fp32_contents, got 1',
    ],
    [
      'classification extension',
      {
        inputs: [x([1, 4])],
        raw_input_contents: [f32([1, 2, 3, 4])],
        outputs: [{ name: 'y', parameters: { classification: { int64_param: '3' } } }],
      },
      3,
      'output "y": the classification extension (class_count 3) is not supported',
    ],
    ['unknown model', { model_name: 'missing', inputs: [] }, 5, 'model "missing" not found'],
    ['unknown version', { model_version: '9', inputs: [] }, 5, 'has no version 9'],
  ];

  it.each(bad)('%s → the right status naming the problem', async (_label, request, code, details) => {
    const answer = await status('ModelInfer', { model_name: 'add_one', ...request });
    expect(answer.code).toBe(code);
    expect(answer.details).toContain(details);
  });

  it('refuses a message over max_message_bytes with RESOURCE_EXHAUSTED', async () => {
    const big = Buffer.alloc(128 * 1024);
    const answer = await status('ModelInfer', {
      model_name: 'add_one',
      inputs: [x([1, 4])],
      raw_input_contents: [big],
    });
    expect(answer.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(await call('ServerLive', {})).toMatchObject({ live: true });
  });

  it('ends an inference at the client deadline with DEADLINE_EXCEEDED and the model sees the abort', async () => {
    const before = slow.calls;
    const answer = await status(
      'ModelInfer',
      { model_name: 'add_one', inputs: [x([1, 4])], raw_input_contents: [f32([1, 2, 3, 4])] },
      100,
    );
    expect(answer.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(slow.calls).toBe(before + 1);
  });
});
