// Test helpers to build tensors and read their values back as plain numbers.
import type { ElementType, Tensor } from '../../../server/engine/types.ts';
import { ELEMENT_SIZE } from '../../../server/engine/types.ts';
import { encodeValues } from '../../support/models.ts';

export function tensor(
  elementType: ElementType,
  shape: readonly number[],
  values: readonly number[],
): Tensor {
  return { elementType, shape, data: encodeValues(elementType, values) };
}

export function f32(shape: readonly number[], values: readonly number[]): Tensor {
  return tensor('f32', shape, values);
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Decodes a tensor's little-endian bytes into numbers (64-bit integers via Number). */
export function values(t: Tensor): number[] {
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const size = ELEMENT_SIZE[t.elementType];
  const read: Record<ElementType, (o: number) => number> = {
    boolean: (o) => view.getUint8(o),
    i8: (o) => view.getInt8(o),
    i16: (o) => view.getInt16(o, true),
    i32: (o) => view.getInt32(o, true),
    i64: (o) => Number(view.getBigInt64(o, true)),
    u8: (o) => view.getUint8(o),
    u16: (o) => view.getUint16(o, true),
    u32: (o) => view.getUint32(o, true),
    u64: (o) => Number(view.getBigUint64(o, true)),
    f16: (o) => halfToNumber(view.getUint16(o, true)),
    bf16: (o) => new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0] ?? Number.NaN,
    f32: (o) => view.getFloat32(o, true),
    f64: (o) => view.getFloat64(o, true),
  };
  return Array.from({ length: t.data.byteLength / size }, (_, i) => read[t.elementType](i * size));
}

/** Largest absolute difference between two equally long number lists. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? Number.NaN))), 0);
}
