// A hand-written protobuf decoder for ModelInferRequest, the request of the one gRPC method on the
// hot path (its response is written by infer-response-wire.ts). It reads the message straight into
// the objects @grpc/proto-loader would build (LOADER_OPTIONS in grpc-server.ts: keepCase, longs as
// decimal strings, defaults filled in, oneof names, bytes as Buffers), without protobufjs's reader,
// message classes and toObject copies.
//
// Decoding takes one pass over the bytes; `bytes` fields come back as views into the input buffer.
// Every read is bounded by the end of the message that contains it, so malformed input (truncated
// varints, lengths past the end, a known field sent with the wrong wire type, groups) throws an
// Error saying what is wrong, which the caller reports as INVALID_ARGUMENT.
//
// Where protobufjs departs from the letter of the protobuf spec we follow protobufjs, so that the
// handlers see exactly what they saw before: a second occurrence of a singular message field
// (`contents`, a map entry's value) replaces the first instead of merging into it, and an
// InferParameter carrying two members of its oneof keeps both, with `parameter_choice` naming the
// higher-numbered one. One deliberate difference: a map entry without a value decodes to an empty
// InferParameter (`{}`, the proto3 default), where proto-loader throws a TypeError; and a bool is
// true for any non-zero varint, where protobufjs looks at its low 32 bits only.
import type { WireContents, WireInferInput, WireInferRequest, WireParameter } from './wire-types.ts';

type WireRequestedOutput = WireInferRequest['outputs'][number];

const TWO_32 = 4294967296;
const EMPTY = Buffer.alloc(0);

// ---- decoding ----

// Decoder state. decodeInferRequest runs synchronously from start to end, so one module-wide cursor
// serves every call; the buffer reference is dropped when the call returns.
let src: Buffer = EMPTY;
let pos = 0;
// The two 32-bit halves of the last 64-bit varint read by readVarint64.
let vlo = 0;
let vhi = 0;

export function decodeInferRequest(buf: Buffer): WireInferRequest {
  src = buf;
  pos = 0;
  try {
    return readRequest(buf.length);
  } finally {
    src = EMPTY;
  }
}

function fail(message: string, what: string): never {
  throw new Error(`malformed ${message}: ${what}`);
}

function truncated(message: string, start: number): never {
  fail(message, `varint at byte ${start} is cut off by the end of the message`);
}

/** Reads a varint and returns its low 32 bits as an unsigned number (what int32/uint32 fields keep). */
function readVarint32(end: number, message: string): number {
  const start = pos;
  let p = pos;
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= end) truncated(message, start);
    const b = src[p++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      pos = p;
      return value >>> 0;
    }
  }
  // Bytes six to ten only carry bits above 32; skip them.
  for (let i = 0; i < 5; i++) {
    if (p >= end) truncated(message, start);
    if (src[p++]! < 0x80) {
      pos = p;
      return value >>> 0;
    }
  }
  fail(message, `varint at byte ${start} is longer than 10 bytes`);
}

/** Reads a varint of up to 64 bits into vlo/vhi. */
function readVarint64(end: number, message: string): void {
  const start = pos;
  let p = pos;
  let lo = 0;
  let hi = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= end) truncated(message, start);
    b = src[p++]!;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      pos = p;
      vlo = lo >>> 0;
      vhi = 0;
      return;
    }
  }
  if (p >= end) truncated(message, start);
  b = src[p++]!;
  lo |= (b & 0x7f) << 28;
  hi = (b & 0x7f) >>> 4;
  if (b >= 0x80) {
    for (let shift = 3; ; shift += 7) {
      if (shift > 31) fail(message, `varint at byte ${start} is longer than 10 bytes`);
      if (p >= end) truncated(message, start);
      b = src[p++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
  }
  pos = p;
  vlo = lo >>> 0;
  vhi = hi >>> 0;
}

/** Decimal text of the 64-bit value in vlo/vhi, read as two's complement when `signed`. */
function longString(signed: boolean): string {
  const lo = vlo;
  const hi = vhi;
  if (signed && hi >= 0x80000000) {
    // Negate: invert both halves and add one, carrying from the low half.
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    if (nhi < 0x200000) return '-' + String(nhi * TWO_32 + nlo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function readLong(end: number, signed: boolean, message: string): string {
  const b = pos < end ? src[pos]! : 0x80;
  if (b < 0x80) {
    pos++;
    return String(b);
  }
  readVarint64(end, message);
  return longString(signed);
}

function readBool(end: number, message: string): boolean {
  readVarint64(end, message);
  return (vlo | vhi) !== 0;
}

/** Reads a length prefix and checks that that many bytes remain before `end`. */
function readLength(end: number, message: string): number {
  const start = pos;
  let p = pos;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= end) truncated(message, start);
    const b = src[p++]!;
    if (shift === 28) {
      if (b > 0x0f) fail(message, `length at byte ${start} does not fit in 32 bits`);
      len += b * 0x10000000;
      break;
    }
    len |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  pos = p;
  if (len > end - p) {
    fail(message, `length ${len} at byte ${start} runs past the end of the message (${end - p} bytes left)`);
  }
  return len;
}

/** Reads a length prefix and returns where the bytes it announces end. */
function readEnd(end: number, message: string): number {
  const len = readLength(end, message);
  return pos + len;
}

// Short ASCII strings (model, tensor and datatype names) repeat from one request to the next, and
// Buffer's string conversion costs about as much as decoding the rest of a small request. So they
// are looked up in a small direct-mapped table first: hashing and comparing a few bytes is cheaper
// than making the string again, and a repeated name is then not allocated at all. Anything else,
// or a slot holding some other string, goes through Buffer.
const INTERN_MAX_LENGTH = 32;
const INTERN_SLOTS = 256;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');

function readString(end: number, message: string): string {
  const len = readLength(end, message);
  const start = pos;
  pos += len;
  if (len > INTERN_MAX_LENGTH) return src.toString('utf8', start, pos);
  let hash = len;
  for (let i = start; i < pos; i++) {
    const c = src[i]!;
    if (c > 0x7f) return src.toString('utf8', start, pos);
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  const slot = (hash ^ (hash >>> 8)) & (INTERN_SLOTS - 1);
  const cached = interned[slot]!;
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === src[start + i]) i++;
    if (i === len) return cached;
  }
  // ASCII only, so Latin-1 decoding gives the same string and skips UTF-8 validation.
  const s = src.toString('latin1', start, pos);
  interned[slot] = s;
  return s;
}

function readBytes(end: number, message: string): Buffer {
  const len = readLength(end, message);
  const start = pos;
  pos += len;
  return src.subarray(start, pos);
}

function readFloat(end: number, message: string): number {
  if (end - pos < 4) fail(message, `fixed32 value at byte ${pos} is cut off by the end of the message`);
  const value = src.readFloatLE(pos);
  pos += 4;
  return value;
}

function readDouble(end: number, message: string): number {
  if (end - pos < 8) fail(message, `fixed64 value at byte ${pos} is cut off by the end of the message`);
  const value = src.readDoubleLE(pos);
  pos += 8;
  return value;
}

function readTag(end: number, message: string): number {
  const b = src[pos]!;
  if (b < 0x80) {
    pos++;
    return b;
  }
  return readVarint32(end, message);
}

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32'];

/**
 * Handles a tag the message's switch did not take: a known field (1..fields.length) with the wrong
 * wire type is an error, anything else is skipped.
 */
function skipField(tag: number, tagStart: number, end: number, message: string, fields: readonly string[]) {
  const field = tag >>> 3;
  const wireType = tag & 7;
  if (field === 0) fail(message, `field number 0 at byte ${tagStart}`);
  if (field <= fields.length) {
    const name = WIRE_TYPE_NAMES[wireType] ?? `${wireType}`;
    fail(message, `field ${fields[field - 1]} (${field}) at byte ${tagStart} has wire type ${name}`);
  }
  switch (wireType) {
    case 0:
      readVarint64(end, message);
      return;
    case 1:
      if (end - pos < 8) fail(message, `unknown field ${field} at byte ${tagStart} is cut off`);
      pos += 8;
      return;
    case 2:
      pos = readEnd(end, message);
      return;
    case 5:
      if (end - pos < 4) fail(message, `unknown field ${field} at byte ${tagStart} is cut off`);
      pos += 4;
      return;
    case 3:
    case 4:
      fail(message, `field ${field} at byte ${tagStart} is a group, which is not supported`);
      break;
    default:
      fail(message, `field ${field} at byte ${tagStart} has invalid wire type ${wireType}`);
  }
}

const REQUEST = 'ModelInferRequest';
const REQUEST_FIELDS = [
  'model_name',
  'model_version',
  'id',
  'parameters',
  'inputs',
  'outputs',
  'raw_input_contents',
];

function readRequest(end: number): WireInferRequest {
  let model_name = '';
  let model_version = '';
  let id = '';
  const parameters: Record<string, WireParameter> = {};
  const inputs: WireInferInput[] = [];
  const outputs: WireRequestedOutput[] = [];
  const raw_input_contents: Buffer[] = [];
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(end, REQUEST);
    switch (tag) {
      case 0x0a:
        model_name = readString(end, REQUEST);
        break;
      case 0x12:
        model_version = readString(end, REQUEST);
        break;
      case 0x1a:
        id = readString(end, REQUEST);
        break;
      case 0x22:
        readParameterEntry(parameters, end, REQUEST);
        break;
      case 0x2a:
        inputs.push(readInput(end));
        break;
      case 0x32:
        outputs.push(readRequestedOutput(end));
        break;
      case 0x3a:
        raw_input_contents.push(readBytes(end, REQUEST));
        break;
      default:
        skipField(tag, tagStart, end, REQUEST, REQUEST_FIELDS);
    }
  }
  // Same key order as proto-loader's objects.
  return { inputs, outputs, raw_input_contents, parameters, model_name, model_version, id };
}

const INPUT = 'ModelInferRequest.InferInputTensor';
const INPUT_FIELDS = ['name', 'datatype', 'shape', 'parameters', 'contents'];

function readInput(outerEnd: number): WireInferInput {
  const end = readEnd(outerEnd, REQUEST);
  let name = '';
  let datatype = '';
  const shape: string[] = [];
  const parameters: Record<string, WireParameter> = {};
  let contents: WireContents | null = null;
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(end, INPUT);
    switch (tag) {
      case 0x0a:
        name = readString(end, INPUT);
        break;
      case 0x12:
        datatype = readString(end, INPUT);
        break;
      case 0x1a: {
        const packedEnd = readEnd(end, INPUT);
        while (pos < packedEnd) shape.push(readLong(packedEnd, true, INPUT));
        break;
      }
      case 0x18:
        shape.push(readLong(end, true, INPUT));
        break;
      case 0x22:
        readParameterEntry(parameters, end, INPUT);
        break;
      case 0x2a:
        contents = readContents(end, INPUT);
        break;
      default:
        skipField(tag, tagStart, end, INPUT, INPUT_FIELDS);
    }
  }
  return { shape, parameters, name, datatype, contents };
}

const REQUESTED_OUTPUT = 'ModelInferRequest.InferRequestedOutputTensor';
const REQUESTED_OUTPUT_FIELDS = ['name', 'parameters'];

function readRequestedOutput(outerEnd: number): WireRequestedOutput {
  const end = readEnd(outerEnd, REQUEST);
  let name = '';
  const parameters: Record<string, WireParameter> = {};
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(end, REQUESTED_OUTPUT);
    switch (tag) {
      case 0x0a:
        name = readString(end, REQUESTED_OUTPUT);
        break;
      case 0x12:
        readParameterEntry(parameters, end, REQUESTED_OUTPUT);
        break;
      default:
        skipField(tag, tagStart, end, REQUESTED_OUTPUT, REQUESTED_OUTPUT_FIELDS);
    }
  }
  return { parameters, name };
}

const ENTRY = 'map<string, InferParameter> entry';
const ENTRY_FIELDS = ['key', 'value'];

/** Reads one map<string, InferParameter> entry into `map`; a repeated key keeps the last value. */
function readParameterEntry(map: Record<string, WireParameter>, outerEnd: number, message: string): void {
  const end = readEnd(outerEnd, message);
  let key = '';
  let value: WireParameter | null = null;
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(end, ENTRY);
    switch (tag) {
      case 0x0a:
        key = readString(end, ENTRY);
        break;
      case 0x12:
        value = readParameter(end);
        break;
      default:
        skipField(tag, tagStart, end, ENTRY, ENTRY_FIELDS);
    }
  }
  if (value === null) value = {};
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, configurable: true, writable: true });
  } else {
    map[key] = value;
  }
}

const PARAMETER = 'InferParameter';
const PARAMETER_FIELDS = ['bool_param', 'int64_param', 'string_param', 'double_param', 'uint64_param'];

function readParameter(outerEnd: number): WireParameter {
  const end = readEnd(outerEnd, ENTRY);
  let seen = 0;
  let bool_param = false;
  let int64_param = '';
  let string_param = '';
  let double_param = 0;
  let uint64_param = '';
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(end, PARAMETER);
    switch (tag) {
      case 0x08:
        bool_param = readBool(end, PARAMETER);
        seen |= 1;
        break;
      case 0x10:
        int64_param = readLong(end, true, PARAMETER);
        seen |= 2;
        break;
      case 0x1a:
        string_param = readString(end, PARAMETER);
        seen |= 4;
        break;
      case 0x21:
        double_param = readDouble(end, PARAMETER);
        seen |= 8;
        break;
      case 0x28:
        uint64_param = readLong(end, false, PARAMETER);
        seen |= 16;
        break;
      default:
        skipField(tag, tagStart, end, PARAMETER, PARAMETER_FIELDS);
    }
  }
  switch (seen) {
    case 0:
      return {};
    case 1:
      return { bool_param, parameter_choice: 'bool_param' };
    case 2:
      return { int64_param, parameter_choice: 'int64_param' };
    case 4:
      return { string_param, parameter_choice: 'string_param' };
    case 8:
      return { double_param, parameter_choice: 'double_param' };
    case 16:
      return { uint64_param, parameter_choice: 'uint64_param' };
  }
  // Several oneof members on the wire: protobufjs keeps them all and names the last in field order.
  const parameter: WireParameter = {};
  if (seen & 1) {
    parameter.bool_param = bool_param;
    parameter.parameter_choice = 'bool_param';
  }
  if (seen & 2) {
    parameter.int64_param = int64_param;
    parameter.parameter_choice = 'int64_param';
  }
  if (seen & 4) {
    parameter.string_param = string_param;
    parameter.parameter_choice = 'string_param';
  }
  if (seen & 8) {
    parameter.double_param = double_param;
    parameter.parameter_choice = 'double_param';
  }
  if (seen & 16) {
    parameter.uint64_param = uint64_param;
    parameter.parameter_choice = 'uint64_param';
  }
  return parameter;
}

const CONTENTS = 'InferTensorContents';
const CONTENTS_FIELDS = [
  'bool_contents',
  'int_contents',
  'int64_contents',
  'uint_contents',
  'uint64_contents',
  'fp32_contents',
  'fp64_contents',
  'bytes_contents',
];

function packedEnd(end: number, width: number): number {
  const start = pos;
  const len = readLength(end, CONTENTS);
  if (len % width !== 0) {
    fail(CONTENTS, `packed field at byte ${start} is ${len} bytes long, not a multiple of ${width}`);
  }
  return pos + len;
}

function readContents(outerEnd: number, message: string): WireContents {
  const end = readEnd(outerEnd, message);
  const bool_contents: boolean[] = [];
  const int_contents: number[] = [];
  const int64_contents: string[] = [];
  const uint_contents: number[] = [];
  const uint64_contents: string[] = [];
  const fp32_contents: number[] = [];
  const fp64_contents: number[] = [];
  const bytes_contents: Buffer[] = [];
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(end, CONTENTS);
    let stop = 0;
    switch (tag) {
      case 0x08:
        bool_contents.push(readBool(end, CONTENTS));
        break;
      case 0x0a:
        for (stop = packedEnd(end, 1); pos < stop; ) bool_contents.push(readBool(stop, CONTENTS));
        break;
      case 0x10:
        int_contents.push(readVarint32(end, CONTENTS) | 0);
        break;
      case 0x12:
        for (stop = packedEnd(end, 1); pos < stop; ) int_contents.push(readVarint32(stop, CONTENTS) | 0);
        break;
      case 0x18:
        int64_contents.push(readLong(end, true, CONTENTS));
        break;
      case 0x1a:
        for (stop = packedEnd(end, 1); pos < stop; ) int64_contents.push(readLong(stop, true, CONTENTS));
        break;
      case 0x20:
        uint_contents.push(readVarint32(end, CONTENTS));
        break;
      case 0x22:
        for (stop = packedEnd(end, 1); pos < stop; ) uint_contents.push(readVarint32(stop, CONTENTS));
        break;
      case 0x28:
        uint64_contents.push(readLong(end, false, CONTENTS));
        break;
      case 0x2a:
        for (stop = packedEnd(end, 1); pos < stop; ) uint64_contents.push(readLong(stop, false, CONTENTS));
        break;
      case 0x35:
        fp32_contents.push(readFloat(end, CONTENTS));
        break;
      case 0x32:
        for (stop = packedEnd(end, 4); pos < stop; pos += 4) fp32_contents.push(src.readFloatLE(pos));
        break;
      case 0x39:
        fp64_contents.push(readDouble(end, CONTENTS));
        break;
      case 0x3a:
        for (stop = packedEnd(end, 8); pos < stop; pos += 8) fp64_contents.push(src.readDoubleLE(pos));
        break;
      case 0x42:
        bytes_contents.push(readBytes(end, CONTENTS));
        break;
      default:
        skipField(tag, tagStart, end, CONTENTS, CONTENTS_FIELDS);
    }
  }
  return {
    bool_contents,
    int_contents,
    int64_contents,
    uint_contents,
    uint64_contents,
    fp32_contents,
    fp64_contents,
    bytes_contents,
  };
}
