// The server's error catalogue: one stable code per failure, each mapped to a gRPC status code and an
// HTTP status. Every error a client can see is a ServerError; causes travel in `cause`.
// Add new codes here (keep the table sorted by area).

/** gRPC status codes (numeric values from the gRPC specification). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
export type GrpcStatusName = keyof typeof GrpcStatus;

interface CodeInfo {
  readonly grpc: GrpcStatusName;
  readonly http: number;
}

export const ERROR_CODES = {
  OVF_ERR_CONFIG_INVALID: { grpc: 'INVALID_ARGUMENT', http: 400 },
  OVF_ERR_ENGINE_UNAVAILABLE: { grpc: 'UNAVAILABLE', http: 503 },
  OVF_ERR_ENGINE_DEVICE_UNAVAILABLE: { grpc: 'FAILED_PRECONDITION', http: 503 },
  OVF_ERR_ENGINE_LOAD_FAILED: { grpc: 'INTERNAL', http: 500 },
  OVF_ERR_ENGINE_INFER_FAILED: { grpc: 'INTERNAL', http: 500 },
  OVF_ERR_MODEL_NOT_FOUND: { grpc: 'NOT_FOUND', http: 404 },
  OVF_ERR_MODEL_VERSION_NOT_FOUND: { grpc: 'NOT_FOUND', http: 404 },
  OVF_ERR_MODEL_UNAVAILABLE: { grpc: 'UNAVAILABLE', http: 503 },
  OVF_ERR_POOL_QUEUE_FULL: { grpc: 'RESOURCE_EXHAUSTED', http: 429 },
  OVF_ERR_POOL_DEADLINE: { grpc: 'DEADLINE_EXCEEDED', http: 504 },
  OVF_ERR_POOL_CLOSED: { grpc: 'UNAVAILABLE', http: 503 },
  OVF_ERR_REQUEST_CANCELLED: { grpc: 'CANCELLED', http: 499 },
  OVF_ERR_REQUEST_INVALID: { grpc: 'INVALID_ARGUMENT', http: 400 },
  OVF_ERR_REQUEST_TOO_LARGE: { grpc: 'RESOURCE_EXHAUSTED', http: 413 },
  OVF_ERR_SERVER_SHUTTING_DOWN: { grpc: 'UNAVAILABLE', http: 503 },
  OVF_ERR_INTERNAL: { grpc: 'INTERNAL', http: 500 },
} as const satisfies Record<string, CodeInfo>;
export type ErrorCode = keyof typeof ERROR_CODES;

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
  get grpcStatus(): number {
    return GrpcStatus[ERROR_CODES[this.code].grpc];
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

/** Narrows anything thrown into a ServerError (unknown failures become OVF_ERR_INTERNAL). */
export function toServerError(error: unknown): ServerError {
  if (error instanceof ServerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ServerError('OVF_ERR_INTERNAL', message, { cause: error });
}
