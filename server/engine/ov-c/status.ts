// Turns an ov_status_e into a ServerError carrying OpenVINO's own message (ov_get_last_err_msg).
import type { ErrorCode } from '../../errors.ts';
import { ServerError } from '../../errors.ts';
import { type OvcApi, takeString } from './library.ts';

/** OpenVINO's description of the last failure, e.g. "Exception from …: Device with "HDDL" name is not registered". */
export function lastError(api: OvcApi, status: number): string {
  const detail = takeString(api, api.ov_get_last_err_msg()).trim();
  const info = api.ov_get_error_info(status);
  return detail ? `${detail} [${info}]` : `${info} (status ${status})`;
}

/** Throws a ServerError with `code` when `status` is not OK (0). */
export function check(api: OvcApi, status: number, code: ErrorCode, what: string): void {
  if (status === 0) return;
  throw new ServerError(code, `${what}: ${lastError(api, status)}`);
}
