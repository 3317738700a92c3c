// The pod's command-line args, built through server/config.ts's toServerArgs — the one contract
// between what the operator renders and what the server (ovfleet-server or the official OVMS image)
// parses. The ovms flavor keeps only flags the official image accepts.
import { type ArgsFlavor, type ServerSettingsInput, toServerArgs } from '../../server/config.ts';
import type { InferenceServiceSpec, Runtime } from '../api/spec.ts';
import type { Plan } from '../sizing/types.ts';

/** Where the model repository is mounted in the pod. */
export function modelMountPath(spec: InferenceServiceSpec): string {
  return `/models/${spec.model.name}`;
}

const FLAVOR: Record<Runtime, ArgsFlavor> = { ovfleet: 'ovfleet', ovms: 'ovms' };

/** OVMS's JSON form of the version policy; undefined for the servers' default (latest 1). */
export function versionPolicyArg(spec: InferenceServiceSpec): string | undefined {
  const p = spec.model.versionPolicy;
  if (p.all !== undefined) return JSON.stringify({ all: {} });
  if (p.specific !== undefined) return JSON.stringify({ specific: { versions: p.specific.versions } });
  const n = p.latest?.numVersions ?? 1;
  return n === 1 ? undefined : JSON.stringify({ latest: { num_versions: n } });
}

/**
 * OpenVINO properties for --plugin_config: the plan's, then spec.server.ovProperties on top (the
 * user's explicit setting wins; the plan's rationale still explains the value it would have used).
 */
export function pluginConfig(spec: InferenceServiceSpec, plan: Plan): Record<string, string> {
  return { ...plan.ovProperties, ...spec.server.ovProperties };
}

export function serverSettingsFor(spec: InferenceServiceSpec, plan: Plan): ServerSettingsInput {
  const settings: ServerSettingsInput = {
    port: spec.server.grpcPort,
    rest_port: spec.server.restPort,
    model_name: spec.model.name,
    model_path: modelMountPath(spec),
    nireq: plan.nireq,
    target_device: plan.targetDevice,
    plugin_config: pluginConfig(spec, plan),
    grpc_workers: plan.grpcWorkers,
    rest_workers: plan.restWorkers,
    log_level: spec.server.logLevel,
  };
  const policy = versionPolicyArg(spec);
  if (policy !== undefined) settings.model_version_policy = policy;
  return settings;
}

export function serverArgs(spec: InferenceServiceSpec, plan: Plan): string[] {
  return toServerArgs(serverSettingsFor(spec, plan), FLAVOR[spec.runtime]);
}
