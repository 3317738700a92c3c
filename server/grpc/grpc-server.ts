// The gRPC transport: inference.GRPCInferenceService (proto/inference.proto) served straight from
// node:http2. gRPC here is a thin layer: a POST per call, length-prefixed messages in DATA frames,
// the status in trailers. Owning that layer (rather than using grpc-js's server) lets the hot method
// read its request without reassembling or re-copying it, write its response in one buffer with
// the frame header in place, and open the HTTP/2 flow-control windows through public options.
// Every method here is unary; ModelInfer decodes and encodes with infer-wire.ts, the others with
// proto-loader's generated codecs.

import * as http2 from 'node:http2';
import { type Http2Session, constants as h2, type ServerHttp2Stream } from 'node:http2';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { GrpcStatus, ServerError, toServerError } from '../errors.ts';
import { BufferPool } from '../protocol/buffer-pool.ts';
import { noMetrics } from '../protocol/metrics-port.ts';
import {
  DEFAULT_SERVER_INFO,
  type TransportOptions,
  type TransportServer,
} from '../protocol/transport-options.ts';
import {
  ACCEPTED_ENCODINGS,
  decompress,
  encodeGrpcMessage,
  FRAME_HEADER_BYTES,
  frame,
  MessageReader,
  parseGrpcTimeout,
  writeFrameHeader,
} from './frames.ts';
import { makeHandlers, type UnaryCall, type UnaryHandler } from './handlers.ts';
import { encodeInferResponse } from './infer-response-wire.ts';
import { decodeInferRequest } from './infer-wire.ts';
import type { WireInferResponse } from './wire-types.ts';

export const PROTO_PATH = fileURLToPath(new URL('../../proto/inference.proto', import.meta.url));
const SERVICE = 'inference.GRPCInferenceService';

/** proto-loader options the handlers' wire types assume (see wire-types.ts). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/**
 * HTTP/2 receive window per stream and per connection. Node's default is 64 KiB: a request tensor
 * larger than that (PP-OCR cls is 110 KiB, det at 320² 1.2 MiB) would arrive in window-sized bursts,
 * each waiting for a WINDOW_UPDATE from this event loop — ~4 ms of a 24 ms det request, measured.
 */
export const FLOW_WINDOW_BYTES = 8 * 1024 * 1024;

interface Codec {
  decode(bytes: Buffer): unknown;
  /** The response as one framed buffer (5-byte header, then the message). */
  encode(response: unknown): Buffer;
}

export function loadServiceDefinition(): protoLoader.ServiceDefinition {
  const pkg = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
  const service = pkg[SERVICE];
  if (service === undefined || !('ModelInfer' in service)) {
    throw new ServerError('OVF_ERR_INTERNAL', `${PROTO_PATH} does not define ${SERVICE}`);
  }
  return service as protoLoader.ServiceDefinition;
}

/** Every method's codec, keyed by its HTTP/2 path (`/inference.GRPCInferenceService/ModelInfer`). */
function codecs(): Map<string, { name: string; codec: Codec }> {
  const out = new Map<string, { name: string; codec: Codec }>();
  for (const [name, method] of Object.entries(loadServiceDefinition())) {
    const codec: Codec =
      name === 'ModelInfer'
        ? {
            decode: decodeInferRequest,
            encode: (r) => {
              const framed = encodeInferResponse(r as WireInferResponse, FRAME_HEADER_BYTES);
              return writeFrameHeader(framed, framed.length - FRAME_HEADER_BYTES);
            },
          }
        : {
            decode: (b) => method.requestDeserialize(b),
            encode: (r) => frame(method.responseSerialize(r as object)),
          };
    out.set(method.path, { name, codec });
  }
  return out;
}

function invalidMessage(name: string, error: unknown): ServerError {
  return new ServerError(
    'OVF_ERR_REQUEST_INVALID',
    `cannot parse the ${name} request message: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

/** A trailers-only answer: the status rides in the response headers and the stream ends. */
function respondStatus(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(h2.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(code),
      'grpc-message': encodeGrpcMessage(message),
    },
    { endStream: true },
  );
}

export function createGrpcServer(options: TransportOptions): TransportServer {
  const { settings } = options;
  const logger = options.logger.child({ transport: 'grpc' });
  const maxBytes = settings.max_message_bytes;
  const handlers = makeHandlers({
    registry: options.registry,
    logger,
    metrics: options.metrics ?? noMetrics,
    serverInfo: options.serverInfo ?? DEFAULT_SERVER_INFO,
    defaultTimeoutMs: settings.request_timeout_ms,
  });
  const methods = codecs();
  const pool = new BufferPool();
  const sessions = new Set<Http2Session>();
  let closing = false;

  const server = http2.createServer({
    // Larger DATA frames than the 16 KiB default: a 1.2 MB tensor arrives in fewer pieces.
    settings: { initialWindowSize: FLOW_WINDOW_BYTES, maxFrameSize: 1 << 20, maxHeaderListSize: 64 * 1024 },
    // Node refuses new streams once a session holds this much (MB) unacknowledged data; room for a
    // few maximum-size messages in flight on one connection.
    maxSessionMemory: Math.max(64, Math.ceil((4 * maxBytes) / 2 ** 20)),
  });

  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', (error) => logger.debug({ err: error }, 'HTTP/2 session error'));
    const widen = () => {
      if (!session.destroyed) session.setLocalWindowSize(FLOW_WINDOW_BYTES);
    };
    if (session.connecting) session.once('connect', widen);
    else widen();
    if (closing) session.close();
  });

  server.on('stream', (stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on('error', (error) => logger.debug({ err: error }, 'HTTP/2 stream error'));
    serveStream(stream, headers);
  });

  const serveStream = (stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void => {
    const path = headers[':path'] ?? '';
    if (headers[':method'] !== 'POST') {
      stream.respond({ ':status': 405, allow: 'POST' }, { endStream: true });
      stream.resume();
      return;
    }
    const contentType = headers['content-type'] ?? '';
    if (!contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      stream.resume();
      return;
    }
    const method = methods.get(path);
    if (method === undefined) {
      respondStatus(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
      stream.resume();
      return;
    }
    const encoding = (headers['grpc-encoding'] as string | undefined) ?? 'identity';
    if (!(ACCEPTED_ENCODINGS as readonly string[]).includes(encoding)) {
      respondStatus(
        stream,
        GrpcStatus.UNIMPLEMENTED,
        `message encoding ${encoding} is not supported; use one of ${ACCEPTED_ENCODINGS.join(', ')}`,
      );
      stream.resume();
      return;
    }
    let timeoutMs: number | undefined;
    try {
      timeoutMs = parseGrpcTimeout(headers['grpc-timeout'] as string | undefined);
    } catch (error: unknown) {
      const e = toServerError(error);
      respondStatus(stream, e.grpcStatus, e.message);
      stream.resume();
      return;
    }

    const reader = new MessageReader(maxBytes, pool);
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      const e = toServerError(error);
      logger.debug({ err: e, method: method.name }, 'request rejected');
      respondStatus(stream, e.grpcStatus, e.message);
    };
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        reader.push(chunk);
      } catch (error: unknown) {
        fail(error);
      }
    });
    stream.once('end', () => {
      if (failed) return;
      const messages = reader.take();
      const [message] = messages;
      if (message === undefined || messages.length > 1 || reader.partial) {
        fail(
          new ServerError(
            'OVF_ERR_REQUEST_INVALID',
            `a unary ${method.name} call takes exactly one whole request message, got ${messages.length}${reader.partial ? ' and a partial one' : ''}`,
          ),
        );
        return;
      }
      // The decoded request may hold views of a pooled buffer: it goes back once the call is over.
      const done = message.pooled ? () => pool.release(message.bytes) : () => {};
      let request: unknown;
      try {
        const bytes = message.compressed ? decompress(message.bytes, encoding, maxBytes) : message.bytes;
        request = method.codec.decode(bytes);
      } catch (error: unknown) {
        done();
        fail(error instanceof ServerError ? error : invalidMessage(method.name, error));
        return;
      }
      runUnary(stream, method, handlers[method.name], request, timeoutMs, done);
    });
  };

  const runUnary = (
    stream: ServerHttp2Stream,
    method: { name: string; codec: Codec },
    handler: UnaryHandler | undefined,
    request: unknown,
    timeoutMs: number | undefined,
    done: () => void,
  ): void => {
    if (handler === undefined) {
      done();
      respondStatus(stream, GrpcStatus.UNIMPLEMENTED, `method ${method.name} is not implemented`);
      return;
    }
    const call: UnaryCall = {
      deadlineMs: timeoutMs,
      onCancel: (listener) => {
        stream.once('close', () => {
          if (!stream.headersSent) listener();
        });
      },
    };
    const answer = (response: unknown) => {
      if (stream.destroyed || stream.closed) {
        done();
        return;
      }
      let framed: Buffer;
      try {
        framed = method.codec.encode(response);
      } catch (error: unknown) {
        const e = toServerError(error);
        respondStatus(stream, GrpcStatus.INTERNAL, `cannot encode the ${method.name} response: ${e.message}`);
        return;
      } finally {
        done();
      }
      if (framed.length - FRAME_HEADER_BYTES > maxBytes) {
        respondStatus(
          stream,
          GrpcStatus.RESOURCE_EXHAUSTED,
          `response message larger than max (${framed.length - FRAME_HEADER_BYTES} vs. ${maxBytes})`,
        );
        return;
      }
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-accept-encoding': ACCEPTED_ENCODINGS.join(','),
        },
        { waitForTrailers: true },
      );
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(framed);
    };
    const reject = (error: unknown) => {
      done();
      const e = toServerError(error);
      respondStatus(stream, e.grpcStatus, e.message);
    };
    // The stream may be reset by the client at any moment; writing to it then throws, and nothing
    // thrown from here may escape as an unhandled rejection.
    const guarded =
      <T>(fn: (value: T) => void) =>
      (value: T) => {
        try {
          fn(value);
        } catch (error: unknown) {
          logger.debug({ err: error, method: method.name }, 'cannot answer: the stream is gone');
          if (!stream.destroyed) stream.close(h2.NGHTTP2_INTERNAL_ERROR);
        }
      };
    try {
      const result = handler(request, call);
      if (result instanceof Promise) result.then(guarded(answer), guarded(reject));
      else guarded(answer)(result);
    } catch (error: unknown) {
      const e = toServerError(error);
      logger.debug({ err: e, method: method.name }, 'request rejected');
      guarded(reject)(e);
    }
  };

  const port = options.port ?? settings.port;
  const host = settings.grpc_bind_address;
  return {
    listen: () =>
      new Promise<number>((resolve, reject) => {
        const onError = (error: Error) => {
          reject(
            new ServerError(
              'OVF_ERR_CONFIG_INVALID',
              `gRPC cannot listen on ${host}:${port}: ${error.message}`,
              {
                cause: error,
              },
            ),
          );
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          server.on('error', (error) => logger.error({ err: error }, 'gRPC server error'));
          const address = server.address();
          const bound = typeof address === 'object' && address !== null ? address.port : port;
          logger.info({ address: host, port: bound }, 'gRPC listening');
          resolve(bound);
        });
      }),
    close: (graceful) =>
      new Promise<void>((resolve) => {
        closing = true;
        if (!server.listening) {
          for (const session of sessions) session.destroy();
          resolve();
          return;
        }
        server.close(() => resolve());
        // Graceful: GOAWAY, and each connection closes once its calls have answered. Forced: now.
        for (const session of sessions) {
          if (graceful) session.close();
          else session.destroy();
        }
      }),
  };
}
