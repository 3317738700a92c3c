// How `ovfleet plan` prints a plan: a table for people (with --explain, the reason for every
// number), or the whole Plan as YAML/JSON for tools.
import { stringify } from 'yaml';
import type { Plan } from '../sizing/types.ts';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const pairs = (record: Record<string, string | number>): string =>
  Object.entries(record)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(none)';

function rows(plan: Plan): [string, string][] {
  const vpus = plan.vpusPerInstance > 0 ? ` + ${plan.vpusPerInstance} VPU` : '';
  return [
    ['instances', `${plan.replicas} × ${plan.vcpusPerInstance} vCPU${vpus}`],
    ['objective', `${plan.objective} on ${plan.device} (runtime ${plan.runtime})`],
    ['target_device', plan.targetDevice],
    ['env', pairs(plan.env)],
    ['properties', pairs(plan.ovProperties)],
    ['nireq', String(plan.nireq)],
    ['grpc_workers', String(plan.grpcWorkers)],
    ['rest_workers', String(plan.restWorkers)],
    ['mounts', plan.mounts.map((m) => `${m.hostPath} → ${m.mountPath} (${m.kind})`).join(', ') || '(none)'],
    ['resources', pairs(plan.extendedResources)],
    [
      'packing',
      `${plan.packing.instancesPerNode} instance(s) per node, ${plan.packing.nodesNeeded} node(s) needed`,
    ],
    ['totals', `${plan.totals.vcpus} vCPU, ${plan.totals.vpus} VPU`],
    ['fits', plan.fits ? 'yes' : `NO (${plan.violations.length} violation(s))`],
  ];
}

export function planTable(plan: Plan, explain: boolean): string {
  const lines = rows(plan).map(([k, v]) => `${k.padEnd(14)}${v}`);
  for (const v of plan.violations) lines.push(`  violation ${v.rule}: ${v.message}`);
  if (explain) {
    lines.push('', 'why:');
    const width = Math.min(28, Math.max(...plan.rationale.map((r) => r.field.length)));
    for (const r of plan.rationale) lines.push(`  ${r.field.padEnd(width)} = ${r.value}: ${r.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

const FORMATTERS: Record<OutputFormat, (plan: Plan, explain: boolean) => string> = {
  table: planTable,
  yaml: (plan) => stringify(plan, { lineWidth: 0 }),
  json: (plan) => `${JSON.stringify(plan, null, 2)}\n`,
};

export function formatPlan(plan: Plan, format: OutputFormat, explain: boolean): string {
  return FORMATTERS[format](plan, explain);
}
