// The actions behind `ovfleet plan`, `ovfleet render` and `ovfleet crd`. Each returns the text to
// print; problems are thrown as OperatorError (the entry point maps them to exit codes).
import { stringify } from 'yaml';
import { crdYaml } from '../api/crd.ts';
import type { InferenceService } from '../api/resource.ts';
import { parseSizingSpec } from '../api/resource.ts';
import { toSizingInput } from '../api/sizing-input.ts';
import { OperatorError } from '../errors.ts';
import { renderList } from '../render/objects.ts';
import { plan } from '../sizing/index.ts';
import type { Plan } from '../sizing/types.ts';
import { readInferenceServices } from './documents.ts';
import { formatPlan, type OutputFormat } from './plan-format.ts';
import { applySizingFlags, nameFlagsInError, type SizingFlag } from './sizing-flags.ts';

export interface PlanOptions {
  readonly file?: string;
  readonly explain: boolean;
  readonly output: OutputFormat;
  readonly flags: Partial<Record<SizingFlag, unknown>>;
}

/**
 * The plan as the pods will run it: spec.server.ovProperties win over the planned OpenVINO
 * properties (render merges them the same way), and each such override gets its own reason line.
 */
export function effectivePlan(isvc: InferenceService, planned: Plan): Plan {
  const user = Object.entries(isvc.spec.server.ovProperties);
  if (user.length === 0) return planned;
  const rationale = [...planned.rationale];
  for (const [key, value] of user) {
    const was = planned.ovProperties[key];
    const reason =
      was === undefined
        ? 'set by spec.server.ovProperties (not a planned property)'
        : `set by spec.server.ovProperties; wins over the planned ${was}`;
    rationale.push({ field: `ovProperties.${key}`, value, reason });
  }
  return {
    ...planned,
    ovProperties: { ...planned.ovProperties, ...isvc.spec.server.ovProperties },
    rationale,
  };
}

/** The sizing plan, exactly what the controller computes (render and the plan hash use this one). */
function planFor(isvc: InferenceService): Plan {
  return plan(toSizingInput(isvc.spec));
}

/** `ovfleet plan`: from a file (flags override its fields) or from flags alone. Exit 0 even if unfit. */
export async function planCommand(options: PlanOptions): Promise<string> {
  if (options.file !== undefined) {
    const flags = options.flags;
    const services = await readInferenceServices(options.file, (doc) => ({
      ...doc,
      spec: applySizingFlags((doc.spec ?? {}) as Record<string, unknown>, flags),
    }));
    const plans = services.map((isvc) => ({
      name: isvc.metadata.name,
      plan: effectivePlan(isvc, planFor(isvc)),
    }));
    const only = plans[0];
    if (plans.length === 1 && only !== undefined)
      return formatPlan(only.plan, options.output, options.explain);
    // Several InferenceServices in one file: a JSON array, YAML documents, or titled tables.
    if (options.output === 'json')
      return `${JSON.stringify(
        plans.map((p) => p.plan),
        null,
        2,
      )}\n`;
    return plans
      .map(({ name, plan: p }) => {
        const text = formatPlan(p, options.output, options.explain);
        return options.output === 'table' ? `# ${name}\n${text}` : text;
      })
      .join(options.output === 'yaml' ? '---\n' : '\n');
  }
  if (options.flags.vcpus === undefined) {
    throw new OperatorError(
      'OVF_ERR_CLI_USAGE',
      'give -f <file> or at least --vcpus <n> (see ovfleet plan --help)',
    );
  }
  let spec: ReturnType<typeof parseSizingSpec>;
  try {
    spec = parseSizingSpec(applySizingFlags({}, options.flags) as Parameters<typeof parseSizingSpec>[0]);
  } catch (error: unknown) {
    throw error instanceof OperatorError ? nameFlagsInError(error) : error;
  }
  return formatPlan(plan(toSizingInput(spec)), options.output, options.explain);
}

export interface RenderOptions {
  readonly file: string;
  readonly allowUnfit: boolean;
}

/**
 * `ovfleet render`: the objects the controller would apply, as multi-document YAML. A plan that
 * breaks an invariant is refused (exit 2) unless --allow-unfit: what cannot run as planned should not
 * reach a cluster by accident.
 */
export async function renderCommand(options: RenderOptions): Promise<string> {
  const services = await readInferenceServices(options.file);
  const docs: string[] = [];
  for (const isvc of services) {
    const p = planFor(isvc);
    if (!p.fits && !options.allowUnfit) {
      const lines = p.violations.map((v) => `  ${v.rule}: ${v.message}`).join('\n');
      throw new OperatorError(
        'OVF_ERR_PLAN_UNFIT',
        `InferenceService ${isvc.metadata.name}: the plan does not fit (use --allow-unfit to render anyway):\n${lines}`,
      );
    }
    for (const object of renderList(isvc, p)) docs.push(stringify(object, { lineWidth: 0 }));
  }
  return docs.map((d) => `---\n${d}`).join('');
}

export function crdCommand(): string {
  return crdYaml();
}
