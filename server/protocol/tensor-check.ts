// Checks a client's tensor against the model's port: datatype, shape (fixed and ranged dimensions)
// and byte count. Every error names the tensor and says what was expected.
import { type Dimension, ELEMENT_SIZE, type ElementType, type PortInfo } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import { DATATYPE_OF, elementTypeOf } from './datatypes.ts';

/** `[1,3,48,192]`, ranges as `1..8`, unbounded as `-1`/`1..?`. */
export function formatDims(dims: readonly Dimension[]): string {
  const parts = dims.map((d) => {
    if (typeof d === 'number') return String(d);
    if (d.min === 0 && d.max === -1) return '-1';
    return `${d.min}..${d.max === -1 ? '?' : d.max}`;
  });
  return `[${parts.join(',')}]`;
}

/** KServe metadata shape: fixed dims as-is, every ranged dimension as -1. */
export function metadataShape(dims: readonly Dimension[]): number[] {
  return dims.map((d) => (typeof d === 'number' ? d : -1));
}

function dimFits(dim: Dimension, size: number): boolean {
  if (typeof dim === 'number') return dim < 0 || dim === size;
  return size >= dim.min && (dim.max === -1 || size <= dim.max);
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Validates a shape's own form (non-negative safe integers). */
export function checkShapeForm(shape: readonly number[], where: string): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ServerError('OVF_ERR_REQUEST_INVALID', `${where}: invalid shape [${shape.join(',')}]`);
    }
  }
}

/**
 * Checks datatype and shape of a client tensor against the model port; returns the element type.
 */
export function checkTensor(
  port: PortInfo,
  datatype: string,
  shape: readonly number[],
  where: string,
): ElementType {
  const elementType = elementTypeOf(datatype, where);
  if (elementType !== port.elementType) {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `${where}: expected datatype ${DATATYPE_OF[port.elementType]}, got ${datatype}`,
    );
  }
  checkShapeForm(shape, where);
  const fits =
    shape.length === port.shape.length && port.shape.every((dim, i) => dimFits(dim, shape[i] ?? -1));
  if (!fits) {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `${where}: expected shape ${formatDims(port.shape)}, got [${shape.join(',')}]`,
    );
  }
  return elementType;
}

/** Bytes a dense tensor of this type and shape occupies. */
export function byteLength(elementType: ElementType, shape: readonly number[]): number {
  return elementCount(shape) * ELEMENT_SIZE[elementType];
}

export function checkByteCount(
  elementType: ElementType,
  shape: readonly number[],
  actual: number,
  where: string,
): void {
  const expected = byteLength(elementType, shape);
  if (actual !== expected) {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `${where}: shape [${shape.join(',')}] of ${DATATYPE_OF[elementType]} needs ${expected} bytes, got ${actual}`,
    );
  }
}
