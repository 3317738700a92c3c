// Default container images per runtime. Neutral names: the operator's install manifests (or
// spec.server.image) point them at a registry.
import pkg from '../../package.json' with { type: 'json' };
import type { Runtime } from '../api/spec.ts';

export const OVFLEET_SERVER_IMAGE = `ovfleet/server:${pkg.version}`;
/** The official OpenVINO Model Server image, matching the OpenVINO release ovfleet pins. */
export const OVMS_IMAGE = 'openvino/model_server:2026.4';

export const DEFAULT_IMAGES: Record<Runtime, string> = { ovfleet: OVFLEET_SERVER_IMAGE, ovms: OVMS_IMAGE };

/**
 * The uid both images run as: the official OVMS image's `ovms` user is 5000, and the ovfleet server
 * image uses the same so one securityContext fits both (runAsNonRoot needs a numeric uid).
 */
export const SERVER_UID = 5000;
