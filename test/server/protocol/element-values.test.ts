import { describe, expect, it } from 'vitest';
import { decodeValues, encodeValues, valuesToJson } from '../../../server/protocol/element-values.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('element values', () => {
  it('encodes little-endian bytes for every value type', () => {
    expect(hex(encodeValues('boolean', [true, false, true], 'x'))).toBe('010001');
    expect(hex(encodeValues('i8', [-1, 127], 'x'))).toBe('ff7f');
    expect(hex(encodeValues('i16', [-2], 'x'))).toBe('feff');
    expect(hex(encodeValues('u16', [258], 'x'))).toBe('0201');
    expect(hex(encodeValues('i32', [1], 'x'))).toBe('01000000');
    expect(hex(encodeValues('u32', [4294967295], 'x'))).toBe('ffffffff');
    expect(hex(encodeValues('f32', [1], 'x'))).toBe('0000803f');
    expect(hex(encodeValues('f64', [-2], 'x'))).toBe('00000000000000c0');
    expect(hex(encodeValues('i64', ['-2', 3], 'x'))).toBe('feffffffffffffff0300000000000000');
    expect(hex(encodeValues('u64', ['18446744073709551615'], 'x'))).toBe('ffffffffffffffff');
  });

  it('names the element that does not fit the type', () => {
    expect(() => encodeValues('u8', [1, 256], 'input "x"')).toThrow(
      'input "x": element 1 is 256, expected an integer in [0, 255]',
    );
    expect(() => encodeValues('i32', [1.5], 'input "x"')).toThrow('element 0 is 1.5, expected an integer');
    expect(() => encodeValues('f32', ['a'], 'input "x"')).toThrow('element 0 is "a", expected a number');
    expect(() => encodeValues('boolean', [1], 'input "b"')).toThrow('element 0 is 1, expected true or false');
  });

  it('decodes back, keeping 64-bit integers exact', () => {
    const big = encodeValues('u64', ['18446744073709551615', 5], 'x');
    const values = decodeValues('u64', big);
    expect(values).toEqual([18446744073709551615n, 5]);
    expect(valuesToJson(values)).toBe('[18446744073709551615,5]');
    expect(decodeValues('boolean', Uint8Array.of(0, 1))).toEqual([false, true]);
    expect(decodeValues('i16', Uint8Array.of(0xfe, 0xff))).toEqual([-2]);
  });

  it('reads tensors that start at an odd byte offset', () => {
    const backing = new Uint8Array(9);
    backing.set([0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40], 0);
    expect(decodeValues('f32', backing.subarray(1))).toEqual([1, 2]);
  });
});
