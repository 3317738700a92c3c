// OVMS model_version_policy: which of the versions found on disk are served.
//   {"latest": {"num_versions": N}}  the N highest versions (the default, N = 1)
//   {"all": {}}                      every version
//   {"specific": {"versions": [..]}} the listed versions that exist
import { z } from 'zod';

export const versionPolicySchema = z.union([
  z.object({ latest: z.object({ num_versions: z.int().min(1) }).strict() }).strict(),
  z.object({ all: z.object({}).strict() }).strict(),
  z.object({ specific: z.object({ versions: z.array(z.int().min(1)).min(1) }).strict() }).strict(),
]);
export type VersionPolicy = z.infer<typeof versionPolicySchema>;

/** The versions to serve, ascending. */
export function selectVersions(policy: VersionPolicy, available: Iterable<number>): number[] {
  const sorted = [...new Set(available)].sort((a, b) => a - b);
  if ('all' in policy) return sorted;
  if ('latest' in policy) return sorted.slice(Math.max(0, sorted.length - policy.latest.num_versions));
  const wanted = new Set(policy.specific.versions);
  return sorted.filter((v) => wanted.has(v));
}

/** Short text for logs, e.g. `latest(2)`. */
export function describePolicy(policy: VersionPolicy): string {
  if ('all' in policy) return 'all';
  if ('latest' in policy) return `latest(${policy.latest.num_versions})`;
  return `specific(${policy.specific.versions.join(',')})`;
}
