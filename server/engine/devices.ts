// Device names: a load on a device OpenVINO does not report fails early with the list it does report.
import { ServerError } from '../errors.ts';

/** Virtual devices that take a list of real devices after a colon (or choose one themselves). */
const VIRTUAL_DEVICES = new Set(['AUTO', 'MULTI', 'HETERO', 'BATCH']);

function isAvailable(device: string, available: readonly string[]): boolean {
  // "GPU" matches "GPU.0"/"GPU.1"; "GPU.1" needs an exact match.
  return available.some((a) => a === device || a.startsWith(`${device}.`));
}

/** The real devices a device string names, e.g. "AUTO:GPU,CPU" → [GPU, CPU], "CPU" → [CPU]. */
export function realDevices(device: string): string[] {
  const [head = '', list] = device.split(':', 2);
  if (!VIRTUAL_DEVICES.has(head)) return [head];
  return (list ?? '')
    .split(',')
    .map((d) => d.trim().replace(/\(.*\)$/, ''))
    .filter((d) => d !== '');
}

/** Throws OVF_ERR_ENGINE_DEVICE_UNAVAILABLE, listing the available devices, when `device` is not usable. */
export function assertDeviceAvailable(device: string, available: readonly string[]): void {
  const missing = realDevices(device).filter((d) => !isAvailable(d, available));
  if (device.trim() === '' || missing.length > 0) {
    const name = missing.length > 0 ? missing.join(',') : JSON.stringify(device);
    throw new ServerError(
      'OVF_ERR_ENGINE_DEVICE_UNAVAILABLE',
      `device ${name} is not available; available: ${available.join(', ') || 'none'}`,
    );
  }
}
