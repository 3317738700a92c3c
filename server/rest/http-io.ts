// Small node:http helpers: bounded body reading and JSON/error answers in KServe's shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ServerError } from '../errors.ts';
import type { BufferPool } from '../protocol/buffer-pool.ts';

/** A request body; `release` hands a pooled buffer back once nothing refers to the body any more. */
export interface Body {
  readonly bytes: Buffer;
  release(): void;
}

/**
 * Reads the whole request body, refusing more than `limit` bytes (413) and bodies that end early
 * (400: truncated). With a `pool` and a Content-Length, the body is copied into a pooled buffer
 * of that size instead of a fresh one.
 */
export function readBody(req: IncomingMessage, limit: number, pool?: BufferPool): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    const expected = declared === undefined ? undefined : Number(declared);
    if (expected !== undefined && expected > limit) {
      reject(
        new ServerError(
          'OVF_ERR_REQUEST_TOO_LARGE',
          `request body of ${expected} bytes exceeds the limit of ${limit}`,
        ),
      );
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    // The declared length is trusted only as a size hint: a body that runs past it falls back to chunks.
    let target =
      pool !== undefined && expected !== undefined && Number.isSafeInteger(expected) && expected > 0
        ? pool.acquire(expected)
        : undefined;
    let size = 0;
    let failed = false;
    const dropTarget = () => {
      if (target !== undefined) pool?.release(target);
      target = undefined;
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (target !== undefined) {
        if (size + chunk.byteLength <= target.length) {
          chunk.copy(target, size);
          size += chunk.byteLength;
          return;
        }
        chunks.push(Buffer.from(target.subarray(0, size)));
        dropTarget();
      }
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(
          new ServerError('OVF_ERR_REQUEST_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      if (target !== undefined) {
        const pooled = target;
        resolve({ bytes: pooled.subarray(0, size), release: () => pool?.release(pooled) });
        return;
      }
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      resolve({ bytes, release: () => {} });
    });
    req.on('aborted', () => {
      if (failed) return;
      failed = true;
      dropTarget();
      reject(new ServerError('OVF_ERR_REQUEST_INVALID', `request body truncated after ${size} bytes`));
    });
    req.on('error', (error) => {
      if (failed) return;
      failed = true;
      dropTarget();
      reject(
        new ServerError('OVF_ERR_REQUEST_INVALID', `request body truncated after ${size} bytes`, {
          cause: error,
        }),
      );
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', Buffer.from(JSON.stringify(body)));
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(data.byteLength),
    ...headers,
  });
  res.end(data);
}

export function sendError(res: ServerResponse, error: ServerError): void {
  sendJson(res, error.httpStatus, { error: error.message });
}

const INFLATE: Record<'gzip' | 'deflate', (buf: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
};

/**
 * Undoes a request's Content-Encoding (gzip and deflate, as tritonclient's request compression sends);
 * the inflated body is held to the same size limit.
 */
export async function decodeContent(
  body: Buffer,
  encoding: string | undefined,
  limit: number,
): Promise<Buffer> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return body;
  if (name !== 'gzip' && name !== 'deflate') {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip or deflate)`,
    );
  }
  try {
    return await INFLATE[name](body, { maxOutputLength: limit });
  } catch (error: unknown) {
    if (error instanceof RangeError) {
      throw new ServerError(
        'OVF_ERR_REQUEST_TOO_LARGE',
        `${name} request body inflates past the limit of ${limit} bytes`,
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServerError('OVF_ERR_REQUEST_INVALID', `malformed ${name} request body: ${reason}`, {
      cause: error,
    });
  }
}
