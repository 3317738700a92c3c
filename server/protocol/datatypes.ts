// KServe v2 datatype names ↔ OpenVINO element types, and Triton's model-config type names.
import type { ElementType } from '../engine/types.ts';
import { ServerError } from '../errors.ts';

/** Every datatype the protocol defines; BYTES (strings) has no OpenVINO element type here. */
export const KSERVE_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'BF16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type KserveDatatype = (typeof KSERVE_DATATYPES)[number];
export type TensorDatatype = Exclude<KserveDatatype, 'BYTES'>;

export const DATATYPE_OF: Record<ElementType, TensorDatatype> = {
  boolean: 'BOOL',
  u8: 'UINT8',
  u16: 'UINT16',
  u32: 'UINT32',
  u64: 'UINT64',
  i8: 'INT8',
  i16: 'INT16',
  i32: 'INT32',
  i64: 'INT64',
  f16: 'FP16',
  bf16: 'BF16',
  f32: 'FP32',
  f64: 'FP64',
};

const ELEMENT_OF: Record<TensorDatatype, ElementType> = {
  BOOL: 'boolean',
  UINT8: 'u8',
  UINT16: 'u16',
  UINT32: 'u32',
  UINT64: 'u64',
  INT8: 'i8',
  INT16: 'i16',
  INT32: 'i32',
  INT64: 'i64',
  FP16: 'f16',
  BF16: 'bf16',
  FP32: 'f32',
  FP64: 'f64',
};

/** Triton model-config DataType names (perf_analyzer reads them from the config endpoints). */
export const TRITON_TYPE_OF: Record<ElementType, string> = {
  boolean: 'TYPE_BOOL',
  u8: 'TYPE_UINT8',
  u16: 'TYPE_UINT16',
  u32: 'TYPE_UINT32',
  u64: 'TYPE_UINT64',
  i8: 'TYPE_INT8',
  i16: 'TYPE_INT16',
  i32: 'TYPE_INT32',
  i64: 'TYPE_INT64',
  f16: 'TYPE_FP16',
  bf16: 'TYPE_BF16',
  f32: 'TYPE_FP32',
  f64: 'TYPE_FP64',
};

function isTensorDatatype(value: string): value is TensorDatatype {
  return Object.hasOwn(ELEMENT_OF, value);
}

/**
 * The element type for a datatype a client sent; `where` names the tensor in the error
 * (e.g. `input "x"`).
 */
export function elementTypeOf(datatype: string, where: string): ElementType {
  if (isTensorDatatype(datatype)) return ELEMENT_OF[datatype];
  if (datatype === 'BYTES') {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `${where}: datatype BYTES is not supported by OpenVINO models`,
    );
  }
  throw new ServerError(
    'OVF_ERR_REQUEST_INVALID',
    `${where}: unknown datatype ${JSON.stringify(datatype)} (expected one of ${Object.keys(ELEMENT_OF).join(', ')})`,
  );
}
