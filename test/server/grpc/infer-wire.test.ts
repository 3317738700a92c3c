// The hand-written ModelInfer codec against proto-loader, which it replaces on the hot path: random
// requests must decode to exactly what proto-loader's deserializer builds, random responses must
// encode to exactly protobufjs's bytes, and malformed input must fail with a message saying why.
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOADER_OPTIONS, PROTO_PATH } from '../../../server/grpc/grpc-server.ts';
import { encodeInferResponse } from '../../../server/grpc/infer-response-wire.ts';
import { decodeInferRequest } from '../../../server/grpc/infer-wire.ts';
import type { WireInferResponse } from '../../../server/grpc/wire-types.ts';

const service = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS)[
  'inference.GRPCInferenceService'
] as protoLoader.ServiceDefinition;
const modelInfer = service.ModelInfer!;
const serializeRequest = (request: object): Buffer => modelInfer.requestSerialize(request);
const deserializeRequest = (bytes: Buffer): object => modelInfer.requestDeserialize(bytes);
const serializeResponse = (response: object): Buffer => modelInfer.responseSerialize(response);
const deserializeResponse = (bytes: Buffer): object => modelInfer.responseDeserialize(bytes);

// ---- hand-built protobuf bytes, for what proto-loader's serializer never produces ----

function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v > 0x7fn) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}
const tag = (field: number, wireType: number): Buffer => varint(field * 8 + wireType);
const delimited = (field: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([tag(field, 2), varint(body.length), body]);
};
const str = (field: number, s: string): Buffer => delimited(field, Buffer.from(s, 'utf8'));
const fixed32 = (field: number, value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return Buffer.concat([tag(field, 5), b]);
};
const fixed64 = (field: number, value: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(field, 1), b]);
};
const varintField = (field: number, value: number | bigint): Buffer =>
  Buffer.concat([tag(field, 0), varint(value)]);

/** Unknown fields of every skippable wire type, with field numbers no message here uses. */
const UNKNOWN = Buffer.concat([
  varintField(100, -1),
  fixed64(101, 2.5),
  str(102, 'ignored'),
  fixed32(103, 1.25),
  delimited(2047, str(1, 'nested'), varintField(9, 1)),
]);

/** Decodes with both codecs, expects the same result, and returns it. */
function decodeBoth(bytes: Buffer): ReturnType<typeof decodeInferRequest> {
  const ours = decodeInferRequest(bytes);
  expect(ours).toStrictEqual(deserializeRequest(bytes));
  return ours;
}

/** The varint length prefix at `at`, and how many bytes it takes. */
function readLength(bytes: Buffer, at: number): { length: number; size: number } {
  let length = 0;
  for (let size = 1; ; size++) {
    const b = bytes[at + size - 1]!;
    length += (b & 0x7f) * 2 ** (7 * (size - 1));
    if (b < 0x80) return { length, size };
  }
}

function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
}

// ---- random messages ----

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 60, maxLength: 200 }),
);
const int64 = fc
  .oneof(
    fc.integer({ min: -3, max: 300 }).map(BigInt),
    fc.bigInt({ min: -(2n ** 53n) - 10n, max: 2n ** 53n + 10n }),
    fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
    fc.constantFrom(INT64_MIN, INT64_MAX, -1n, 0n, 2n ** 32n, -(2n ** 32n), 2n ** 53n, 2n ** 53n + 1n),
  )
  .map(String);
const uint64 = fc
  .oneof(
    fc.bigInt({ min: 0n, max: 300n }),
    fc.bigInt({ min: 0n, max: UINT64_MAX }),
    fc.constantFrom(UINT64_MAX, 2n ** 63n, 2n ** 53n + 1n, 2n ** 32n - 1n),
  )
  .map(String);
const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));

const parameter = fc.oneof(
  fc.record({ bool_param: fc.boolean() }),
  fc.record({ int64_param: int64 }),
  fc.record({ string_param: text }),
  fc.record({ double_param: fc.double() }),
  fc.record({ uint64_param: uint64 }),
  fc.constant({}),
);
const parameters = fc.dictionary(text, parameter, { maxKeys: 4 });

const contents = fc.record(
  {
    bool_contents: fc.array(fc.boolean(), { maxLength: 8 }),
    int_contents: fc.array(fc.integer(), { maxLength: 8 }),
    int64_contents: fc.array(int64, { maxLength: 8 }),
    uint_contents: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 8 }),
    uint64_contents: fc.array(uint64, { maxLength: 8 }),
    fp32_contents: fc.array(fc.float(), { maxLength: 8 }),
    fp64_contents: fc.array(fc.double(), { maxLength: 8 }),
    bytes_contents: fc.array(bytes, { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

const input = fc.record(
  {
    name: text,
    datatype: fc.constantFrom('FP32', 'INT64', 'BYTES', 'UINT8', ''),
    shape: fc.array(int64, { maxLength: 6 }),
    parameters,
    contents,
  },
  { requiredKeys: [] },
);

const request = fc.record(
  {
    model_name: text,
    model_version: fc.oneof(fc.constant(''), fc.nat().map(String)),
    id: text,
    parameters,
    inputs: fc.array(input, { maxLength: 3 }),
    outputs: fc.array(fc.record({ name: text, parameters }, { requiredKeys: [] }), { maxLength: 3 }),
    raw_input_contents: fc.array(bytes, { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

const dimension = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2, max: 4096 }) },
  { weight: 2, arbitrary: fc.maxSafeInteger() },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 53) + 1, max: -1 }) },
  { weight: 1, arbitrary: fc.double() },
);
const response: fc.Arbitrary<WireInferResponse> = fc.record({
  model_name: text,
  model_version: text,
  id: text,
  outputs: fc.array(
    fc.record({
      name: text,
      datatype: fc.constantFrom('FP32', 'INT64', 'BYTES', ''),
      shape: fc.array(dimension, { maxLength: 6 }),
    }),
    { maxLength: 3 },
  ),
  raw_output_contents: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3 }),
});

describe('decodeInferRequest', () => {
  it('builds what proto-loader builds for random requests', () => {
    fc.assert(
      fc.property(request, (req) => {
        const bytes = serializeRequest(req);
        const ours = decodeInferRequest(bytes);
        const theirs = deserializeRequest(bytes);
        expect(ours).toStrictEqual(theirs);
        expect(keyOrder(ours)).toStrictEqual(keyOrder(theirs));
      }),
      { numRuns: 500 },
    );
  });

  it('reads the same fields when they arrive in any order, with unknown fields in between', () => {
    fc.assert(
      fc.property(request, fc.integer(), (req, seed) => {
        // Split the top-level message into its fields, shuffle them and interleave unknown ones.
        const bytes = serializeRequest(req);
        const fields: Buffer[] = [];
        for (let p = 0; p < bytes.length; ) {
          const { length, size } = readLength(bytes, p + 1);
          fields.push(bytes.subarray(p, p + 1 + size + length), UNKNOWN);
          p += 1 + size + length;
        }
        let state = seed;
        for (let i = fields.length - 1; i > 0; i--) {
          state = (state * 1103515245 + 12345) | 0;
          const j = (state >>> 8) % (i + 1);
          [fields[i], fields[j]] = [fields[j]!, fields[i]!];
        }
        decodeBoth(Buffer.concat(fields));
      }),
      { numRuns: 200 },
    );
  });

  it('decodes a cls-sized request, with the tensor bytes left in place', () => {
    const raw = Buffer.alloc(1 * 3 * 48 * 192 * 4, 7);
    const bytes = serializeRequest({
      model_name: 'cls',
      id: 'req-1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['1', '3', '48', '192'] }],
      raw_input_contents: [raw],
    });
    const ours = decodeBoth(bytes);
    const view = ours.raw_input_contents[0]!;
    expect(view.length).toBe(110_592);
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(bytes.byteOffset + bytes.length - 110_592);
    bytes[bytes.length - 1] = 42;
    expect(view[view.length - 1]).toBe(42);
  });

  it('returns bytes_contents entries as views of the input as well', () => {
    const bytes = serializeRequest({
      inputs: [{ contents: { bytes_contents: [Buffer.from('abc'), Buffer.alloc(0)] } }],
    });
    const entries = decodeBoth(bytes).inputs[0]!.contents!.bytes_contents;
    expect(entries.map((b) => b.buffer === bytes.buffer)).toEqual([true, true]);
    expect(entries[0]!.toString()).toBe('abc');
  });

  it('fills in every default for an empty message', () => {
    expect(decodeBoth(Buffer.alloc(0))).toStrictEqual({
      inputs: [],
      outputs: [],
      raw_input_contents: [],
      parameters: {},
      model_name: '',
      model_version: '',
      id: '',
    });
    const nested = decodeBoth(Buffer.concat([delimited(5), delimited(6)]));
    expect(nested.inputs).toStrictEqual([
      { shape: [], parameters: {}, name: '', datatype: '', contents: null },
    ]);
    expect(nested.outputs).toStrictEqual([{ parameters: {}, name: '' }]);
  });

  it('turns int64 and uint64 values into exact decimal strings', () => {
    const signed = ['0', '-1', '9007199254740991', '9007199254740993', '-9007199254740993', '4294967296'];
    const extremes = [INT64_MIN, INT64_MAX].map(String);
    const unsigned = [UINT64_MAX, 2n ** 63n, 2n ** 53n + 1n, 0n].map(String);
    const bytes = serializeRequest({
      inputs: [
        {
          shape: [...signed, ...extremes],
          contents: { int64_contents: [...signed, ...extremes], uint64_contents: unsigned },
        },
      ],
      parameters: { min: { int64_param: String(INT64_MIN) }, max: { uint64_param: String(UINT64_MAX) } },
    });
    const ours = decodeBoth(bytes);
    expect(ours.inputs[0]!.shape).toEqual([...signed, ...extremes]);
    expect(ours.inputs[0]!.contents!.uint64_contents).toEqual(unsigned);
    expect(ours.parameters.min).toEqual({ int64_param: String(INT64_MIN), parameter_choice: 'int64_param' });
  });

  it('accepts repeated scalars unpacked, packed, and both mixed', () => {
    const shapeUnpacked = Buffer.concat([varintField(3, 1), varintField(3, -1), varintField(3, 2n ** 40n)]);
    const shapePacked = delimited(3, varint(4), varint(-7));
    const contents = delimited(
      5,
      varintField(1, 1),
      varintField(1, 0),
      varintField(2, -5),
      varintField(3, -(2n ** 60n)),
      varintField(4, 0xffffffff),
      varintField(5, UINT64_MAX),
      fixed32(6, 1.5),
      delimited(6, Buffer.from(new Float32Array([2.5, -0]).buffer)),
      fixed64(7, Math.PI),
      delimited(7, Buffer.from(new Float64Array([Number.NaN]).buffer)),
      delimited(2, varint(7), varint(-8)),
      delimited(1, varint(1), varint(0), varint(2)),
    );
    const ours = decodeBoth(delimited(5, str(1, 'x'), shapeUnpacked, shapePacked, contents));
    expect(ours.inputs[0]!.shape).toEqual(['1', '-1', '1099511627776', '4', '-7']);
    expect(ours.inputs[0]!.contents).toStrictEqual({
      bool_contents: [true, false, true, false, true],
      int_contents: [-5, 7, -8],
      int64_contents: [String(-(2n ** 60n))],
      uint_contents: [0xffffffff],
      uint64_contents: [String(UINT64_MAX)],
      fp32_contents: [1.5, 2.5, -0],
      fp64_contents: [Math.PI, Number.NaN],
      bytes_contents: [],
    });
  });

  it('skips unknown fields of every wire type at every level', () => {
    const parameter = delimited(2, UNKNOWN, varintField(2, -3), UNKNOWN);
    const bytes = Buffer.concat([
      UNKNOWN,
      str(1, 'm'),
      delimited(4, UNKNOWN, str(1, 'k'), parameter),
      delimited(
        5,
        str(1, 'x'),
        UNKNOWN,
        delimited(5, UNKNOWN, fixed32(6, 1)),
        delimited(4, str(1, 'p'), parameter),
      ),
      delimited(6, UNKNOWN, str(1, 'y')),
      UNKNOWN,
    ]);
    const ours = decodeBoth(bytes);
    expect(ours.model_name).toBe('m');
    expect(ours.parameters).toStrictEqual({ k: { int64_param: '-3', parameter_choice: 'int64_param' } });
    expect(ours.inputs[0]!.contents!.fp32_contents).toEqual([1]);
    expect(ours.outputs).toStrictEqual([{ parameters: {}, name: 'y' }]);
  });

  it('lets later occurrences win the way protobufjs does', () => {
    const bytes = Buffer.concat([
      str(1, 'first'),
      str(1, 'second'),
      delimited(4, str(1, 'k'), delimited(2, varintField(1, 1))),
      delimited(4, str(1, 'k'), delimited(2, str(3, 'later'))),
      // A parameter with two oneof members: protobufjs keeps both and names the higher field.
      delimited(4, str(1, 'both'), delimited(2, str(3, 's'), varintField(1, 1))),
      // A singular message field sent twice: protobufjs keeps the last one.
      delimited(5, delimited(5, fixed32(6, 1)), delimited(5, varintField(2, 3))),
      // A map entry without a key.
      delimited(4, delimited(2, varintField(5, 9))),
    ]);
    const ours = decodeBoth(bytes);
    expect(ours.model_name).toBe('second');
    expect(ours.parameters.k).toStrictEqual({ string_param: 'later', parameter_choice: 'string_param' });
    expect(ours.parameters.both).toStrictEqual({
      bool_param: true,
      parameter_choice: 'string_param',
      string_param: 's',
    });
    expect(ours.parameters['']).toStrictEqual({ uint64_param: '9', parameter_choice: 'uint64_param' });
    expect(ours.inputs[0]!.contents!.fp32_contents).toEqual([]);
    expect(ours.inputs[0]!.contents!.int_contents).toEqual([3]);
  });

  it('keeps a map key named __proto__ as an ordinary entry', () => {
    const bytes = serializeRequest({
      parameters: JSON.parse('{"__proto__": {"bool_param": true}, "a": {}}'),
    });
    const ours = decodeBoth(bytes);
    expect(Object.getPrototypeOf(ours.parameters)).toBe(Object.prototype);
    expect(Object.keys(ours.parameters)).toEqual(['__proto__', 'a']);
  });

  it('reads a map entry without a value as an empty parameter (proto-loader throws there)', () => {
    const bytes = delimited(4, str(1, 'k'));
    expect(decodeInferRequest(bytes).parameters).toStrictEqual({ k: {} });
    expect(() => deserializeRequest(bytes)).toThrow(TypeError);
  });

  it('reads a bool as true for any non-zero varint (protobufjs looks at the low 32 bits only)', () => {
    const bytes = delimited(5, delimited(5, varintField(1, 2n ** 32n), varintField(1, -1)));
    expect(decodeInferRequest(bytes).inputs[0]!.contents!.bool_contents).toEqual([true, true]);
  });

  it('keeps short names apart when many of them come and go', () => {
    const names = Array.from({ length: 2000 }, (_, i) =>
      i % 3 === 0 ? `m${i}` : i.toString(36).repeat(1 + (i % 5)),
    );
    for (const round of [0, 1]) {
      for (const [i, name] of names.entries()) {
        const req = decodeInferRequest(
          Buffer.concat([str(1, name), str(3, names[(i * 7 + round) % names.length]!)]),
        );
        expect([req.model_name, req.id]).toEqual([name, names[(i * 7 + round) % names.length]]);
      }
    }
  });

  it('decodes strings the way Buffer does, invalid UTF-8 included', () => {
    const bad = Buffer.from([0x66, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    const ours = decodeBoth(delimited(1, bad));
    expect(ours.model_name).toBe(bad.toString('utf8'));
  });

  it('accepts a truncated request only where a top-level field ends', () => {
    const full = serializeRequest({
      model_name: 'model',
      id: 'é',
      parameters: { p: { double_param: 1.5 }, q: { int64_param: '-300' } },
      inputs: [
        { name: 'x', shape: ['1', '-1', '300'], contents: { fp32_contents: [1, 2], int64_contents: ['-2'] } },
      ],
      outputs: [{ name: 'y' }],
      raw_input_contents: [Buffer.alloc(200, 1)],
    });
    // Every top-level field here has a one-byte tag and is length-delimited.
    const boundaries = new Set([0]);
    for (let p = 0; p < full.length; ) {
      const { length, size } = readLength(full, p + 1);
      p += 1 + size + length;
      boundaries.add(p);
    }
    for (let cut = 0; cut < full.length; cut++) {
      const bytes = full.subarray(0, cut);
      if (boundaries.has(cut)) {
        expect(decodeInferRequest(bytes), `cut at ${cut}`).toStrictEqual(deserializeRequest(bytes));
      } else {
        // proto-loader is lenient with a string cut short; for everything else it throws as well.
        expect(() => decodeInferRequest(bytes), `cut at ${cut}`).toThrow(/^malformed .*(cut off|runs past)/);
      }
    }
  });

  it('says what is wrong with malformed input', () => {
    const cases: [Buffer, RegExp][] = [
      [
        Buffer.from([0x0a, 0x05, 0x61]),
        /ModelInferRequest: length 5 at byte 1 runs past the end .*1 bytes left/,
      ],
      [Buffer.from([0x3a, 0x80]), /ModelInferRequest: varint at byte 1 is cut off/],
      [Buffer.from([0x82]), /ModelInferRequest: varint at byte 0 is cut off/],
      [Buffer.concat([tag(5, 2), varint(3), str(1, 'ab'), Buffer.from([0x00])]), /runs past the end/],
      [delimited(5, Buffer.from([0x18, 0x80, 0x80])), /InferInputTensor: varint at byte 3 is cut off/],
      [delimited(5, delimited(3, Buffer.from([0x80]))), /InferInputTensor: varint at byte 4 is cut off/],
      [varintField(1, 3), /ModelInferRequest: field model_name \(1\) at byte 0 has wire type varint/],
      [fixed32(7, 1), /field raw_input_contents \(7\) at byte 0 has wire type fixed32/],
      [delimited(5, fixed64(4, 1)), /InferInputTensor: field parameters \(4\) .*wire type fixed64/],
      [delimited(5, delimited(5, fixed64(6, 1))), /InferTensorContents: field fp32_contents \(6\) .*fixed64/],
      [delimited(5, delimited(5, delimited(6, Buffer.alloc(6)))), /6 bytes long, not a multiple of 4/],
      [
        delimited(5, delimited(5, Buffer.from([0x35, 0, 0]))),
        /InferTensorContents: fixed32 value at byte 5 is cut off/,
      ],
      [delimited(4, delimited(2, fixed32(4, 1))), /InferParameter: field double_param \(4\) .*fixed32/],
      [Buffer.concat([tag(9, 3), tag(9, 4)]), /field 9 at byte 0 is a group/],
      [Buffer.from([0x0e]), /ModelInferRequest: field model_name \(1\) at byte 0 has wire type 6$/],
      [Buffer.from([0x4f]), /field 9 at byte 0 has invalid wire type 7/],
      [Buffer.from([0x02, 0x00]), /field number 0 at byte 0/],
      [Buffer.concat([tag(9, 0), Buffer.alloc(10, 0xff), Buffer.from([0x01])]), /longer than 10 bytes/],
      [Buffer.concat([tag(9, 1), Buffer.alloc(7)]), /unknown field 9 at byte 0 is cut off/],
      [Buffer.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x7f]), /does not fit in 32 bits/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeInferRequest(bytes), bytes.toString('hex')).toThrow(message);
    }
  });

  it('keeps decoding after a malformed request', () => {
    expect(() => decodeInferRequest(Buffer.from([0x0a, 0x05]))).toThrow(Error);
    expect(decodeBoth(str(1, 'ok')).model_name).toBe('ok');
  });
});

describe('encodeInferResponse', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the bytes protobufjs writes, for random responses', () => {
    fc.assert(
      fc.property(response, fc.nat({ max: 8 }), (res, prefix) => {
        const ours = encodeInferResponse(res, prefix);
        const theirs = serializeResponse(res);
        expect(ours.length).toBe(prefix + theirs.length);
        const message = ours.subarray(prefix);
        expect(message.equals(theirs)).toBe(true);
        expect(deserializeResponse(message)).toStrictEqual(deserializeResponse(theirs));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes edge-case shapes the way protobufjs does', () => {
    const shape = [
      -(2 ** 32),
      -(2 ** 40),
      2 ** 32,
      -1,
      -(2 ** 53) + 1,
      2 ** 53 - 1,
      1.7,
      -2.5,
      -0,
      Number.NaN,
      2 ** 63,
      -(2 ** 63),
      1e300,
      -1e300,
      Infinity,
      -Infinity,
      2 ** 60,
    ];
    const res: WireInferResponse = {
      model_name: 'm',
      model_version: '1',
      id: '',
      outputs: [{ name: 'y', datatype: 'INT64', shape }],
      raw_output_contents: [],
    };
    expect(encodeInferResponse(res).equals(serializeResponse(res))).toBe(true);
  });

  it('decodes back to the response, with the output tensor bytes', () => {
    const data = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);
    const res: WireInferResponse = {
      model_name: 'cls',
      model_version: '1',
      id: 'req-1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 4] }],
      raw_output_contents: [data],
    };
    expect(deserializeResponse(encodeInferResponse(res))).toStrictEqual({
      outputs: [{ shape: ['1', '4'], parameters: {}, name: 'y', datatype: 'FP32', contents: null }],
      raw_output_contents: [Buffer.from(data)],
      parameters: {},
      model_name: 'cls',
      model_version: '1',
      id: 'req-1',
    });
  });

  it('allocates once and leaves the prefix to the caller', () => {
    const allocUnsafe = Buffer.allocUnsafe;
    const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size) => allocUnsafe(size).fill(0xa5));
    const res: WireInferResponse = {
      model_name: 'm',
      model_version: '1',
      id: 'x',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 3, 48, 192] }],
      raw_output_contents: [new Uint8Array(110_592).fill(3)],
    };
    const out = encodeInferResponse(res, 5);
    const expected = serializeResponse(res);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith(5 + expected.length);
    expect([...out.subarray(0, 5)]).toEqual([0xa5, 0xa5, 0xa5, 0xa5, 0xa5]);
    expect(out.subarray(5).equals(expected)).toBe(true);
  });

  it('encodes an empty response as protobufjs does', () => {
    const res: WireInferResponse = {
      model_name: '',
      model_version: '',
      id: '',
      outputs: [],
      raw_output_contents: [],
    };
    expect(encodeInferResponse(res).equals(serializeResponse(res))).toBe(true);
    expect(encodeInferResponse(res, 5).length).toBe(5 + serializeResponse(res).length);
  });
});
