// HTTP/2 flow-control windows for the gRPC server's connections.
//
// Node's HTTP/2 defaults to a 64 KiB receive window per stream and per connection, and grpc-js's
// server has no option to change it (its `grpc-node.flow_control_window` is a client-channel
// option). A request tensor larger than the window (PP-OCR cls is 110 KiB, det at 320² 1.2 MiB)
// then arrives in window-sized bursts, each waiting for the server's event loop to send a
// WINDOW_UPDATE: measured with perf_analyzer on det at concurrency 1, that wait was ~4 ms of a
// 24 ms request. Opening both windows wide lets the client send a whole request at once.
//
// grpc-js builds its http2 servers from a private options object and keeps them in a private
// map, so this reaches into both (the same two calls its own client makes for its channels). If a
// grpc-js upgrade renames them, the functions return false and the server logs a warning (it still
// works, only slower); test/server/grpc/flow-window.test.ts fails in that case.
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/** Receive window per stream and per connection: a few large tensors in flight at once. */
export const FLOW_WINDOW_BYTES = 8 * 1024 * 1024;

interface ServerInternals {
  commonServerOptions?: { settings?: Record<string, unknown> };
  http2Servers?: Map<EventEmitter, unknown>;
}

function internalsOf(server: grpc.Server): ServerInternals {
  return server as unknown as ServerInternals;
}

/**
 * Call before `bindAsync`: every connection the server accepts advertises the wide stream window.
 * Returns false when grpc-js no longer has the options object this relies on.
 */
export function advertiseStreamWindow(server: grpc.Server, bytes = FLOW_WINDOW_BYTES): boolean {
  const options = internalsOf(server).commonServerOptions;
  if (typeof options !== 'object' || options === null) return false;
  options.settings = { ...options.settings, initialWindowSize: bytes };
  return true;
}

function widenSession(session: Http2Session, bytes: number): void {
  const widen = () => {
    if (!session.destroyed) session.setLocalWindowSize(bytes);
  };
  if (session.connecting) session.once('connect', widen);
  else widen();
}

/**
 * Call after `bindAsync` succeeded: each new connection's own window is widened too.
 * Returns false when grpc-js no longer keeps its http2 servers where this looks.
 */
export function widenConnectionWindows(server: grpc.Server, bytes = FLOW_WINDOW_BYTES): boolean {
  const servers = internalsOf(server).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const http2Server of servers.keys()) {
    http2Server.on('session', (session: Http2Session) => widenSession(session, bytes));
  }
  return true;
}
