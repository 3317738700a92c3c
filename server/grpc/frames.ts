// gRPC over HTTP/2, the parts that are not HTTP/2 itself: length-prefixed messages, the grpc-timeout
// header, and the percent-encoded grpc-message trailer (see gRPC's PROTOCOL-HTTP2 specification).
import { gunzipSync, inflateSync } from 'node:zlib';
import { ServerError } from '../errors.ts';
import type { BufferPool } from '../protocol/buffer-pool.ts';

/** Bytes before every message: a compressed flag, then the length as a big-endian uint32. */
export const FRAME_HEADER_BYTES = 5;

/** Message encodings this server reads (grpc-encoding) and says it accepts (grpc-accept-encoding). */
export const ACCEPTED_ENCODINGS = ['identity', 'gzip', 'deflate'] as const;

/**
 * Reassembles the messages of one request stream from its DATA chunks. A message that arrives inside
 * one chunk is a view of that chunk (no copy); one spread over several is copied once into a buffer
 * from `pool` (`pooled` true: hand it back with pool.release once the call is over). A declared
 * length over `maxBytes` is refused before any of it is buffered.
 */
export class MessageReader {
  readonly #maxBytes: number;
  readonly #pool: BufferPool | undefined;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #compressed = false;
  #body: Buffer | null = null;
  #bodyFill = 0;
  readonly #messages: Message[] = [];

  constructor(maxBytes: number, pool?: BufferPool) {
    this.#maxBytes = maxBytes;
    this.#pool = pool;
  }

  /** Consumes one DATA chunk; throws OVF_ERR_REQUEST_TOO_LARGE for an oversized message. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#body === null) {
        if (this.#headerFill === 0 && chunk.length - at >= FRAME_HEADER_BYTES) {
          // Fast path: the whole header, and maybe the whole body, is in this chunk.
          const compressed = chunk[at] === 1;
          const length = this.#checkedLength(chunk.readUInt32BE(at + 1));
          at += FRAME_HEADER_BYTES;
          if (chunk.length - at >= length) {
            this.#messages.push({ compressed, bytes: chunk.subarray(at, at + length), pooled: false });
            at += length;
            continue;
          }
          this.#startBody(compressed, length);
          continue;
        }
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, chunk.length - at);
        chunk.copy(this.#header, this.#headerFill, at, at + take);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill < FRAME_HEADER_BYTES) return;
        this.#headerFill = 0;
        this.#startBody(this.#header[0] === 1, this.#checkedLength(this.#header.readUInt32BE(1)));
        continue;
      }
      const body = this.#body;
      const take = Math.min(body.length - this.#bodyFill, chunk.length - at);
      chunk.copy(body, this.#bodyFill, at, at + take);
      this.#bodyFill += take;
      at += take;
      if (this.#bodyFill === body.length) this.#finishBody();
    }
  }

  /** Messages completed so far, oldest first; each is returned once. */
  take(): Message[] {
    return this.#messages.splice(0);
  }

  /** True when the stream ended in the middle of a message. */
  get partial(): boolean {
    return this.#body !== null || this.#headerFill > 0;
  }

  #checkedLength(length: number): number {
    if (length > this.#maxBytes) {
      throw new ServerError(
        'OVF_ERR_REQUEST_TOO_LARGE',
        `received message larger than max (${length} vs. ${this.#maxBytes})`,
      );
    }
    return length;
  }

  #startBody(compressed: boolean, length: number): void {
    this.#compressed = compressed;
    this.#body = this.#pool === undefined ? Buffer.allocUnsafe(length) : this.#pool.acquire(length);
    this.#bodyFill = 0;
    if (length === 0) this.#finishBody();
  }

  #finishBody(): void {
    this.#messages.push({
      compressed: this.#compressed,
      bytes: this.#body as Buffer,
      pooled: this.#pool !== undefined,
    });
    this.#body = null;
    this.#bodyFill = 0;
  }
}

export interface Message {
  readonly compressed: boolean;
  readonly bytes: Buffer;
  /** `bytes` came from the reader's pool. */
  readonly pooled: boolean;
}

/** Undoes a message's compression (`encoding` from the request's grpc-encoding header). */
export function decompress(bytes: Buffer, encoding: string, maxBytes: number): Buffer {
  try {
    if (encoding === 'gzip') return gunzipSync(bytes, { maxOutputLength: maxBytes });
    if (encoding === 'deflate') return inflateSync(bytes, { maxOutputLength: maxBytes });
  } catch (error: unknown) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new ServerError(
      tooLarge ? 'OVF_ERR_REQUEST_TOO_LARGE' : 'OVF_ERR_REQUEST_INVALID',
      tooLarge
        ? `received message larger than max when decompressed (max ${maxBytes})`
        : `cannot decompress the ${encoding} message: ${(error as Error).message}`,
      { cause: error },
    );
  }
  throw new ServerError('OVF_ERR_INTERNAL', `message compressed with ${encoding}, which is not accepted`);
}

/** Writes the 5-byte header for a `length`-byte uncompressed message at the start of `framed`. */
export function writeFrameHeader(framed: Buffer, length: number): Buffer {
  framed[0] = 0;
  framed.writeUInt32BE(length, 1);
  return framed;
}

/** Frames an encoded message (one copy; hot paths encode straight after the header instead). */
export function frame(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(FRAME_HEADER_BYTES + message.length);
  framed.set(message, FRAME_HEADER_BYTES);
  return writeFrameHeader(framed, message.length);
}

const TIMEOUT_UNIT_MS: Record<string, number> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 1e-3,
  n: 1e-6,
};

/**
 * The grpc-timeout header (at most 8 digits and a unit) in milliseconds; undefined when absent.
 * A malformed value is an error, as the specification requires.
 */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  const unit = match?.[2];
  if (!match || unit === undefined) {
    throw new ServerError('OVF_ERR_REQUEST_INVALID', `invalid grpc-timeout header "${value}"`);
  }
  return Number(match[1]) * (TIMEOUT_UNIT_MS[unit] ?? 1);
}

/** Percent-encodes a status message: bytes outside printable ASCII, and '%' itself. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
