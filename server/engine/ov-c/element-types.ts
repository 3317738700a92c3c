// ov_element_type_e numbering of the OpenVINO 2026 C API. The enum has no UNDEFINED entry any more
// (DYNAMIC is 0) and gained U2/U3/U6 before U8, so older transcriptions are off by one or more;
// these values were checked against real IR models of every type (test/server/engine).
import type { ElementType } from '../types.ts';

export const OV_ELEMENT_TYPE: Record<ElementType, number> = {
  boolean: 1,
  bf16: 2,
  f16: 3,
  f32: 4,
  f64: 5,
  i8: 7,
  i16: 8,
  i32: 9,
  i64: 10,
  u8: 16,
  u16: 17,
  u32: 18,
  u64: 19,
};

const BY_CODE = new Map<number, ElementType>(
  Object.entries(OV_ELEMENT_TYPE).map(([name, code]) => [code, name as ElementType]),
);

/** Names of the codes ovfleet does not serve, for error messages. */
const OTHER_CODES: Readonly<Record<number, string>> = {
  0: 'dynamic',
  6: 'i4',
  11: 'u1',
  12: 'u2',
  13: 'u3',
  14: 'u4',
  15: 'u6',
  20: 'nf4',
  21: 'f8e4m3',
  22: 'f8e5m2',
  23: 'string',
  24: 'f4e2m1',
  25: 'f8e8m0',
};

/** The ElementType for an ov_element_type_e code, or undefined when ovfleet cannot serve it. */
export function elementTypeFromCode(code: number): ElementType | undefined {
  return BY_CODE.get(code);
}

export function describeCode(code: number): string {
  return BY_CODE.get(code) ?? OTHER_CODES[code] ?? `element type #${code}`;
}
