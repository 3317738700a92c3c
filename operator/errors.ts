// The operator's error catalogue: one stable code per failure, each mapped to the CLI exit code and an
// HTTP-ish status (what an admission webhook or an API would answer). Causes travel in `cause`.
// Add new codes here (keep the table sorted by area); the controller adds its own.

interface CodeInfo {
  /** Process exit code when this error ends the `ovfleet` CLI. 2 = the user's input is at fault. */
  readonly exit: number;
  readonly http: number;
}

export const ERROR_CODES = {
  OVF_ERR_CLI_USAGE: { exit: 2, http: 400 },
  OVF_ERR_INPUT_UNREADABLE: { exit: 2, http: 400 },
  OVF_ERR_INPUT_NOT_YAML: { exit: 2, http: 400 },
  OVF_ERR_SPEC_INVALID: { exit: 2, http: 422 },
  OVF_ERR_PLAN_UNFIT: { exit: 2, http: 422 },
  OVF_ERR_RENDER_FAILED: { exit: 1, http: 500 },
  OVF_ERR_CONTROLLER_CHILD_NOT_OWNED: { exit: 1, http: 409 },
  OVF_ERR_CONTROLLER_CONFIG_INVALID: { exit: 2, http: 400 },
  OVF_ERR_CONTROLLER_LEADERSHIP_LOST: { exit: 1, http: 503 },
  OVF_ERR_CONTROLLER_NO_NODES: { exit: 1, http: 503 },
  OVF_ERR_INTERNAL: { exit: 1, http: 500 },
} as const satisfies Record<string, CodeInfo>;
export type ErrorCode = keyof typeof ERROR_CODES;

export class OperatorError extends Error {
  override readonly name = 'OperatorError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

/** Narrows anything thrown into an OperatorError (unknown failures become OVF_ERR_INTERNAL). */
export function toOperatorError(error: unknown): OperatorError {
  if (error instanceof OperatorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OperatorError('OVF_ERR_INTERNAL', message, { cause: error });
}
