// A hand-written protobuf encoder for ModelInferResponse (the request side is infer-wire.ts). The
// response is sized first, then written into one buffer allocated once, leaving room in front for the
// caller's gRPC frame header; the bytes equal protobufjs's encoding of the same object.
import type { WireInferResponse } from './wire-types.ts';

type WireOutput = WireInferResponse['outputs'][number];

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;

function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

function writeVarint32(out: Buffer, p: number, value: number): number {
  while (value > 0x7f) {
    out[p++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[p++] = value;
  return p;
}

// The two 32-bit halves of the int64 that the last call to splitLong made of a number.
let elo = 0;
let ehi = 0;

/** Splits a shape value into elo/ehi the way protobufjs (Long.fromNumber) does: truncated, clamped. */
function splitLong(value: number): void {
  if (Number.isNaN(value)) value = 0;
  const negative = value < 0;
  let magnitude = negative ? -value : value;
  if (magnitude >= TWO_63) {
    // Out of int64 range: the extreme value of that sign.
    elo = negative ? 0 : 0xffffffff;
    ehi = negative ? 0x80000000 : 0x7fffffff;
    return;
  }
  magnitude = Math.trunc(magnitude);
  let lo = (magnitude % TWO_32) >>> 0;
  let hi = (magnitude / TWO_32) >>> 0;
  if (negative && (lo | hi) !== 0) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  elo = lo;
  ehi = hi;
}

function longSize(value: number): number {
  if (value >>> 0 === value) return varint32Size(value);
  splitLong(value);
  if (ehi === 0) return varint32Size(elo);
  const middle = ((elo >>> 28) | (ehi << 4)) >>> 0;
  const top = ehi >>> 24;
  if (top === 0) return middle < 0x4000 ? (middle < 0x80 ? 5 : 6) : middle < 0x200000 ? 7 : 8;
  return top < 0x80 ? 9 : 10;
}

function writeLong(out: Buffer, p: number, value: number): number {
  if (value >>> 0 === value) return writeVarint32(out, p, value);
  splitLong(value);
  let lo = elo;
  let hi = ehi;
  while (hi !== 0) {
    out[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint32(out, p, lo);
}

/** UTF-8 length of `s`; short ASCII strings (every name and datatype in practice) are counted here. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  }
  return n;
}

/** Writes `s`, whose UTF-8 length is `len`, at `p`; returns the position after it. */
function writeUtf8(out: Buffer, p: number, s: string, len: number): number {
  if (len === s.length && len <= 64) {
    for (let i = 0; i < len; i++) out[p + i] = s.charCodeAt(i);
  } else {
    out.write(s, p, len, 'utf8');
  }
  return p + len;
}

function stringFieldSize(s: string): number {
  const len = utf8Length(s);
  return 1 + varint32Size(len) + len;
}

function writeStringField(out: Buffer, p: number, tag: number, s: string): number {
  const len = utf8Length(s);
  out[p] = tag;
  return writeUtf8(out, writeVarint32(out, p + 1, len), s, len);
}

function packedShapeSize(shape: readonly number[]): number {
  let size = 0;
  for (let i = 0; i < shape.length; i++) size += longSize(shape[i]!);
  return size;
}

function outputSize(output: WireOutput): number {
  let size = 0;
  if (output.name != null) size += stringFieldSize(output.name);
  if (output.datatype != null) size += stringFieldSize(output.datatype);
  if (output.shape != null && output.shape.length > 0) {
    const packed = packedShapeSize(output.shape);
    size += 1 + varint32Size(packed) + packed;
  }
  return size;
}

/**
 * Serializes a ModelInferResponse (everything but the `parameters` maps and `contents`, which the
 * server never sets) into one buffer of exactly `prefix` + message bytes, leaving the first
 * `prefix` bytes for the caller (the gRPC frame header). The bytes match protobufjs's encoding:
 * fields in number order, string fields written whenever present, shapes packed.
 */
export function encodeInferResponse(res: WireInferResponse, prefix = 0): Buffer {
  const { model_name, model_version, id, outputs, raw_output_contents: raw } = res;
  let size = 0;
  if (model_name != null) size += stringFieldSize(model_name);
  if (model_version != null) size += stringFieldSize(model_version);
  if (id != null) size += stringFieldSize(id);
  const outputCount = outputs == null ? 0 : outputs.length;
  for (let i = 0; i < outputCount; i++) {
    const n = outputSize(outputs[i]!);
    size += 1 + varint32Size(n) + n;
  }
  const rawCount = raw == null ? 0 : raw.length;
  for (let i = 0; i < rawCount; i++) {
    const n = raw[i]!.byteLength;
    size += 1 + varint32Size(n) + n;
  }

  const out = Buffer.allocUnsafe(prefix + size);
  let p = prefix;
  if (model_name != null) p = writeStringField(out, p, 0x0a, model_name);
  if (model_version != null) p = writeStringField(out, p, 0x12, model_version);
  if (id != null) p = writeStringField(out, p, 0x1a, id);
  for (let i = 0; i < outputCount; i++) {
    const output = outputs[i]!;
    out[p] = 0x2a;
    p = writeVarint32(out, p + 1, outputSize(output));
    if (output.name != null) p = writeStringField(out, p, 0x0a, output.name);
    if (output.datatype != null) p = writeStringField(out, p, 0x12, output.datatype);
    const shape = output.shape;
    if (shape != null && shape.length > 0) {
      out[p] = 0x1a;
      p = writeVarint32(out, p + 1, packedShapeSize(shape));
      for (let j = 0; j < shape.length; j++) p = writeLong(out, p, shape[j]!);
    }
  }
  for (let i = 0; i < rawCount; i++) {
    const bytes = raw[i]!;
    out[p] = 0x32;
    p = writeVarint32(out, p + 1, bytes.byteLength);
    out.set(bytes, p);
    p += bytes.byteLength;
  }
  if (p !== out.length) throw new Error(`encodeInferResponse wrote ${p} of ${out.length} bytes`);
  return out;
}
