// What the server assembly (server/cli.ts) hands each transport. Kept small and stable: the
// repository helper codes against these types.
import type { Logger } from 'pino';
import type { ServerSettings } from '../config.ts';
import type { ModelRegistry } from '../repository/types.ts';
import type { ServerMetrics } from './metrics-port.ts';

/** KServe v2 server metadata (GET /v2, ServerMetadata). */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

export const DEFAULT_SERVER_INFO: ServerInfo = {
  name: 'ovfleet-server',
  version: '0.1.0',
  extensions: ['binary_tensor_data'],
};

/** Result of a configuration reload (POST /v1/config/reload). */
export interface ReloadResult {
  readonly ok: boolean;
  /** Human-readable summary, e.g. "loaded resnet:2, unloaded resnet:1". */
  readonly message: string;
  /** Optional per-model details, returned as JSON as-is. */
  readonly details?: unknown;
}

export interface TransportOptions {
  readonly registry: ModelRegistry;
  /** Uses port/rest_port, grpc_bind_address/rest_bind_address, max_message_bytes, request_timeout_ms. */
  readonly settings: ServerSettings;
  readonly logger: Logger;
  readonly metrics?: ServerMetrics;
  readonly serverInfo?: ServerInfo;
  /** Port to bind instead of the settings' one; 0 picks a free port (tests). */
  readonly port?: number;
}

/** A started-or-startable transport. */
export interface TransportServer {
  /** Binds and resolves with the port actually bound (useful with port 0 in tests). */
  listen(): Promise<number>;
  /**
   * Stops accepting; `graceful` lets in-flight requests finish (call again with false to force).
   * Resolves when the listener is closed.
   */
  close(graceful: boolean): Promise<void>;
}

export interface RestServerOptions extends TransportOptions {
  /** POST /v1/config/reload calls this; without it the route answers 404. */
  readonly onReload?: () => Promise<ReloadResult>;
}
