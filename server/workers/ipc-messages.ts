// Messages between the primary (model owner) and protocol worker processes, sent over the cluster
// IPC channel with V8 serialisation (Uint8Array and Map survive as they are).
import type { ServerSettings } from '../config.ts';
import type { Tensor } from '../engine/types.ts';
import { type ErrorCode, ServerError } from '../errors.ts';
import type { Protocol, RequestTiming } from '../protocol/metrics-port.ts';
import type { ReloadResult } from '../protocol/transport-options.ts';
import type { ServedModel } from '../repository/types.ts';
import type { WorkerRole } from './worker-plan.ts';

/** What a worker knows of one served version: everything but the inference itself. */
export type VersionSnapshot = Omit<ServedModel, 'infer'>;

export interface RegistrySnapshot {
  readonly ready: boolean;
  readonly models: readonly { readonly name: string; readonly versions: readonly VersionSnapshot[] }[];
}

export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type ToWorker =
  | {
      readonly type: 'init';
      readonly index: number;
      readonly role: WorkerRole;
      readonly settings: ServerSettings;
    }
  | { readonly type: 'snapshot'; readonly snapshot: RegistrySnapshot }
  | {
      readonly type: 'infer-result';
      readonly id: number;
      /** The version that ran (the client's default may have moved on since the worker's snapshot). */
      readonly version: number;
      readonly outputs: Map<string, Tensor>;
    }
  | { readonly type: 'reply-error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'reload-result'; readonly id: number; readonly result: ReloadResult }
  | { readonly type: 'metrics-text'; readonly id: number; readonly text: string }
  | { readonly type: 'shutdown' };

export type ToPrimary =
  | {
      readonly type: 'listening';
      readonly grpcPort: number | undefined;
      readonly restPort: number | undefined;
    }
  | { readonly type: 'start-failed'; readonly error: SerializedError }
  | {
      readonly type: 'infer';
      readonly id: number;
      readonly name: string;
      /** The version the client named; undefined = the default (latest). */
      readonly version: number | undefined;
      /** For a default-version request: the version the worker's snapshot showed as latest. */
      readonly preferred: number;
      readonly inputs: Map<string, Tensor>;
    }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'reload'; readonly id: number }
  | { readonly type: 'metrics-render'; readonly id: number }
  | {
      readonly type: 'request-done';
      readonly protocol: Protocol;
      readonly model: string;
      readonly version: number;
      readonly ok: boolean;
      readonly timing: RequestTiming;
    }
  | { readonly type: 'stats'; readonly served: number };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ServerError) return { code: error.code, message: error.message };
  return { code: 'OVF_ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export function deserializeError(error: SerializedError): ServerError {
  return new ServerError(error.code, error.message);
}
