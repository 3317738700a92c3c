// gRPC message framing, grpc-timeout and grpc-message encoding, without a server.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeGrpcMessage,
  FRAME_HEADER_BYTES,
  frame,
  MessageReader,
  parseGrpcTimeout,
} from '../../../server/grpc/frames.ts';
import { BufferPool } from '../../../server/protocol/buffer-pool.ts';

/** Cuts `bytes` at the given positions. */
function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('MessageReader', () => {
  it('reassembles any sequence of messages however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (messages, cuts, pooled) => {
          const wire = Buffer.concat(messages.map((m) => frame(m)));
          const reader = new MessageReader(1024, pooled ? new BufferPool() : undefined);
          for (const chunk of cut(wire, cuts)) reader.push(chunk);
          expect(reader.partial).toBe(false);
          expect(reader.take().map((m) => [...m.bytes])).toEqual(messages.map((m) => [...m]));
          expect(reader.take()).toEqual([]);
        },
      ),
    );
  });

  it('hands out a message that arrives in one chunk as a view of that chunk', () => {
    const wire = frame(Buffer.from('hello'));
    const reader = new MessageReader(1024);
    reader.push(wire);
    const [message] = reader.take();
    expect(message?.pooled).toBe(false);
    expect(message?.bytes.buffer).toBe(wire.buffer);
  });

  it('refuses a message whose declared length is over the limit before buffering it', () => {
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(2049, 1);
    const reader = new MessageReader(2048);
    expect(() => reader.push(header)).toThrow('received message larger than max (2049 vs. 2048)');
  });

  it('knows when the stream stopped inside a message', () => {
    const reader = new MessageReader(1024);
    reader.push(frame(Buffer.alloc(10)).subarray(0, 8));
    expect(reader.partial).toBe(true);
    expect(reader.take()).toEqual([]);
  });

  it('reads the compressed flag', () => {
    const wire = frame(Buffer.from([1, 2, 3]));
    wire[0] = 1;
    const reader = new MessageReader(1024);
    reader.push(wire);
    expect(reader.take()[0]?.compressed).toBe(true);
  });
});

describe('BufferPool', () => {
  it('reuses a released block for the next message of a similar size', () => {
    const pool = new BufferPool();
    const a = pool.acquire(100_000);
    expect(a.length).toBe(100_000);
    pool.release(a);
    const b = pool.acquire(110_000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(110_000);
  });

  it('never keeps blocks over its size limit, nor more than its count per size', () => {
    const pool = new BufferPool({ maxBlockBytes: 1 << 20, perClass: 1 });
    const big = pool.acquire((1 << 20) + 1);
    pool.release(big);
    expect(pool.acquire((1 << 20) + 1).buffer).not.toBe(big.buffer);
    const x = pool.acquire(5000);
    const y = pool.acquire(5000);
    pool.release(x);
    pool.release(y);
    expect(pool.acquire(5000).buffer).toBe(x.buffer);
    expect(pool.acquire(5000).buffer).not.toBe(y.buffer);
  });

  it('holds no more free bytes than its limit, however many bodies come back at once', () => {
    const pool = new BufferPool({ maxFreeBytes: 3 * 65536 });
    const burst = Array.from({ length: 10 }, () => pool.acquire(60_000));
    for (const b of burst) pool.release(b);
    expect(pool.freeBytes).toBe(3 * 65536);
    pool.acquire(60_000);
    expect(pool.freeBytes).toBe(2 * 65536);
  });

  it('ignores buffers it did not hand out', () => {
    const pool = new BufferPool();
    const foreign = Buffer.alloc(8192).subarray(1);
    pool.release(foreign);
    expect(pool.acquire(8000).buffer).not.toBe(foreign.buffer);
  });
});

describe('parseGrpcTimeout', () => {
  it.each([
    ['1H', 3_600_000],
    ['2M', 120_000],
    ['3S', 3000],
    ['250m', 250],
    ['1500u', 1.5],
    ['2000000n', 2],
  ])('%s is %d ms', (value, ms) => {
    expect(parseGrpcTimeout(value)).toBe(ms);
  });

  it('is undefined when absent and an INVALID_ARGUMENT error when malformed', () => {
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
    for (const bad of ['10', '123456789S', '-1S', '1s', 'soon']) {
      expect(() => parseGrpcTimeout(bad)).toThrow(`invalid grpc-timeout header "${bad}"`);
    }
  });
});

describe('encodeGrpcMessage', () => {
  it('keeps printable ASCII and percent-encodes the rest, and % itself', () => {
    expect(encodeGrpcMessage('input "x": shape [1,2]')).toBe('input "x": shape [1,2]');
    expect(encodeGrpcMessage('100% done\n')).toBe('100%25 done%0A');
    expect(encodeGrpcMessage('größe')).toBe('gr%C3%B6%C3%9Fe');
  });

  it('round-trips through percent-decoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeURIComponent(encodeGrpcMessage(s))).toBe(s);
      }),
    );
  });
});
