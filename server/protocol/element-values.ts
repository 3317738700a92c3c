// Converts between tensor bytes (little-endian) and element values (numbers, bigints, booleans), for
// the JSON form of REST and the typed `contents` fields of gRPC. Raw forms never pass through here.
import { ELEMENT_SIZE, type ElementType } from '../engine/types.ts';
import { ServerError } from '../errors.ts';

export type ElementValue = number | bigint | boolean;

/** Element types that have a JS value form (16-bit floats travel only as raw bytes). */
export type ValueElementType = Exclude<ElementType, 'f16' | 'bf16'>;

const WRITERS: Record<ValueElementType, (view: DataView, offset: number, value: number) => void> = {
  boolean: (v, o, x) => v.setUint8(o, x ? 1 : 0),
  i8: (v, o, x) => v.setInt8(o, x),
  i16: (v, o, x) => v.setInt16(o, x, true),
  i32: (v, o, x) => v.setInt32(o, x, true),
  i64: (v, o, x) => v.setBigInt64(o, BigInt(x), true),
  u8: (v, o, x) => v.setUint8(o, x),
  u16: (v, o, x) => v.setUint16(o, x, true),
  u32: (v, o, x) => v.setUint32(o, x, true),
  u64: (v, o, x) => v.setBigUint64(o, BigInt(x), true),
  f32: (v, o, x) => v.setFloat32(o, x, true),
  f64: (v, o, x) => v.setFloat64(o, x, true),
};

/** Inclusive integer bounds per integer type (64-bit ones checked as bigint). */
const INT_RANGE: Partial<Record<ValueElementType, readonly [bigint, bigint]>> = {
  i8: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-2147483648n, 2147483647n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
  u8: [0n, 255n],
  u16: [0n, 65535n],
  u32: [0n, 4294967295n],
  u64: [0n, 2n ** 64n - 1n],
};

export function hasValueForm(elementType: ElementType): elementType is ValueElementType {
  return elementType !== 'f16' && elementType !== 'bf16';
}

function badValue(where: string, index: number, value: unknown, expected: string): ServerError {
  const shown = typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
  return new ServerError(
    'OVF_ERR_REQUEST_INVALID',
    `${where}: element ${index} is ${shown}, expected ${expected}`,
  );
}

/**
 * Encodes element values (as JSON or protobuf decoding produced them) into little-endian bytes.
 * 64-bit integers may come as numbers, bigints or decimal strings.
 */
export function encodeValues(
  elementType: ValueElementType,
  values: ArrayLike<unknown>,
  where: string,
): Uint8Array<ArrayBuffer> {
  const size = ELEMENT_SIZE[elementType];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  if (elementType === 'f32' || elementType === 'f64') {
    const write = WRITERS[elementType];
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (typeof x !== 'number') throw badValue(where, i, x, 'a number');
      write(view, i * size, x);
    }
    return out;
  }
  if (elementType === 'boolean') {
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (typeof x !== 'boolean') throw badValue(where, i, x, 'true or false');
      out[i] = x ? 1 : 0;
    }
    return out;
  }
  const range = INT_RANGE[elementType];
  const [lo, hi] = range ?? [0n, 0n];
  const wide = elementType === 'i64' || elementType === 'u64';
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    let n: bigint;
    if (typeof x === 'number' && Number.isInteger(x)) n = BigInt(x);
    else if (typeof x === 'bigint') n = x;
    else if (wide && typeof x === 'string' && /^-?\d+$/.test(x)) n = BigInt(x);
    else throw badValue(where, i, x, `an integer`);
    if (n < lo || n > hi) throw badValue(where, i, x, `an integer in [${lo}, ${hi}]`);
    if (elementType === 'i64') view.setBigInt64(i * size, n, true);
    else if (elementType === 'u64') view.setBigUint64(i * size, n, true);
    else WRITERS[elementType](view, i * size, Number(n));
  }
  return out;
}

/**
 * Decodes little-endian bytes into plain values: numbers, booleans, and for 64-bit integers numbers
 * when exact, else bigints.
 */
export function decodeValues(elementType: ValueElementType, data: Uint8Array): ElementValue[] {
  const size = ELEMENT_SIZE[elementType];
  const n = Math.floor(data.byteLength / size);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Array<ElementValue>(n);
  const read = READERS[elementType];
  for (let i = 0; i < n; i++) out[i] = read(view, i * size);
  return out;
}

function exact(x: bigint): number | bigint {
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

const READERS: Record<ValueElementType, (view: DataView, offset: number) => ElementValue> = {
  boolean: (v, o) => v.getUint8(o) !== 0,
  i8: (v, o) => v.getInt8(o),
  i16: (v, o) => v.getInt16(o, true),
  i32: (v, o) => v.getInt32(o, true),
  i64: (v, o) => exact(v.getBigInt64(o, true)),
  u8: (v, o) => v.getUint8(o),
  u16: (v, o) => v.getUint16(o, true),
  u32: (v, o) => v.getUint32(o, true),
  u64: (v, o) => exact(v.getBigUint64(o, true)),
  f32: (v, o) => v.getFloat32(o, true),
  f64: (v, o) => v.getFloat64(o, true),
};

/** JSON text of values; bigints are written as exact integer literals. */
export function valuesToJson(values: readonly ElementValue[]): string {
  let s = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ',';
    const v = values[i];
    if (typeof v === 'number') s += Number.isFinite(v) ? String(v) : 'null';
    else s += String(v);
  }
  return s + ']';
}
