import { describe, expect, it } from 'vitest';
import { ServerError } from '../../../server/errors.ts';
import { elementTypeOf } from '../../../server/protocol/datatypes.ts';
import { checkByteCount, checkTensor } from '../../../server/protocol/tensor-check.ts';
import { port } from './fake-registry.ts';

function failure(fn: () => unknown): ServerError {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof ServerError) return error;
    throw error;
  }
  throw new Error('expected a ServerError');
}

describe('checkTensor', () => {
  const image = port('x', 'f32', [{ min: 1, max: -1 }, 3, 48, 192]);

  it('accepts any batch within a dynamic dimension and the exact fixed dimensions', () => {
    expect(checkTensor(image, 'FP32', [1, 3, 48, 192], 'input "x"')).toBe('f32');
    expect(checkTensor(image, 'FP32', [7, 3, 48, 192], 'input "x"')).toBe('f32');
  });

  it('names the input, the expected and the received shape', () => {
    const e = failure(() => checkTensor(image, 'FP32', [1, 3, 48], 'input "x"'));
    expect(e.code).toBe('OVF_ERR_REQUEST_INVALID');
    expect(e.message).toBe('input "x": expected shape [1..?,3,48,192], got [1,3,48]');
  });

  it('rejects a batch outside a bounded range', () => {
    const ranged = port('x', 'f32', [{ min: 1, max: 4 }, 2]);
    expect(failure(() => checkTensor(ranged, 'FP32', [5, 2], 'input "x"')).message).toContain('[1..4,2]');
    expect(failure(() => checkTensor(ranged, 'FP32', [0, 2], 'input "x"')).message).toContain('got [0,2]');
  });

  it('rejects a datatype other than the model input type, naming both', () => {
    const e = failure(() => checkTensor(image, 'INT32', [1, 3, 48, 192], 'input "x"'));
    expect(e.message).toBe('input "x": expected datatype FP32, got INT32');
  });

  it('rejects BYTES and unknown datatypes with a clear message', () => {
    expect(failure(() => elementTypeOf('BYTES', 'input "s"')).message).toContain('BYTES is not supported');
    expect(failure(() => elementTypeOf('FLOAT', 'input "s"')).message).toContain('unknown datatype "FLOAT"');
  });

  it('checks byte counts against the shape', () => {
    expect(() => checkByteCount('f32', [2, 4], 32, 'input "x"')).not.toThrow();
    expect(failure(() => checkByteCount('f32', [2, 4], 31, 'input "x"')).message).toBe(
      'input "x": shape [2,4] of FP32 needs 32 bytes, got 31',
    );
    expect(failure(() => checkByteCount('f16', [3], 12, 'input "h"')).message).toContain('needs 6 bytes');
  });
});
