// The model configuration: one entry per served model, from --model_name/--model_path (single-model
// mode) or from an OVMS-format config file (--config_path, `model_config_list`). Validated with zod at
// the edge; errors name the field path, e.g. `model_config_list[0].config.nireq`.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { pluginConfigSchema, type ServerSettings } from '../config.ts';
import { type Dimension, ELEMENT_TYPES, type ElementType } from '../engine/types.ts';
import { ServerError } from '../errors.ts';
import { type VersionPolicy, versionPolicySchema } from './version-policy.ts';

/** KServe v2 datatype names accepted as aliases of OpenVINO element types in `input_precision`. */
const KSERVE_TO_ELEMENT: Record<string, ElementType> = {
  BOOL: 'boolean',
  INT8: 'i8',
  INT16: 'i16',
  INT32: 'i32',
  INT64: 'i64',
  UINT8: 'u8',
  UINT16: 'u16',
  UINT32: 'u32',
  UINT64: 'u64',
  FP16: 'f16',
  BF16: 'bf16',
  FP32: 'f32',
  FP64: 'f64',
};

const elementTypeSchema = z.string().transform((value, ctx): ElementType => {
  const lower = value.toLowerCase();
  if ((ELEMENT_TYPES as readonly string[]).includes(lower)) return lower as ElementType;
  const alias = KSERVE_TO_ELEMENT[value.toUpperCase()];
  if (alias !== undefined) return alias;
  ctx.addIssue({
    code: 'custom',
    message: `unknown precision "${value}" (use ${ELEMENT_TYPES.join(', ')} or a KServe datatype such as UINT8)`,
  });
  return z.NEVER;
});

/** `"(1,3,224,224)"`, `"(1:4,3,-1,-1)"` → dimensions; -1 is unbounded, `a:b` a range. */
export function parseShape(text: string): Dimension[] {
  const match = /^\s*[([]?([^()[\]]*)[)\]]?\s*$/.exec(text);
  const body = match?.[1]?.trim() ?? '';
  if (body === '') throw new Error(`shape "${text}" is not of the form (1,3,224,224)`);
  return body.split(',').map((part): Dimension => {
    const dim = part.trim();
    if (/^\d+$/.test(dim)) return Number(dim);
    if (dim === '-1' || dim === '?') return { min: 0, max: -1 };
    const range = /^(\d+):(\d+|-1)$/.exec(dim);
    if (range) return { min: Number(range[1]), max: Number(range[2]) };
    throw new Error(`shape "${text}": bad dimension "${dim}"`);
  });
}

const shapeTextSchema = z.string().transform((value, ctx) => {
  try {
    return parseShape(value);
  } catch (error: unknown) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

/** Either one unnamed shape (applies to the model's only input) or shapes keyed by input name. */
const shapeSchema = z.union([
  z.string().transform((value, ctx) => {
    const trimmed = value.trim();
    if (trimmed.startsWith('{')) {
      try {
        const parsed = z.record(z.string(), shapeTextSchema).safeParse(JSON.parse(trimmed));
        if (parsed.success) return { named: parsed.data };
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'bad shape map' });
      } catch (error: unknown) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${String(error)}` });
      }
      return z.NEVER;
    }
    if (trimmed === 'auto') {
      ctx.addIssue({
        code: 'custom',
        message: 'shape "auto" is not supported; give fixed or ranged dimensions',
      });
      return z.NEVER;
    }
    const single = shapeTextSchema.safeParse(trimmed);
    if (single.success) return { single: single.data };
    ctx.addIssue({ code: 'custom', message: single.error.issues[0]?.message ?? 'bad shape' });
    return z.NEVER;
  }),
  z.record(z.string(), shapeTextSchema).transform((named) => ({ named })),
]);
export type ShapeSpec = { single: Dimension[] } | { named: Record<string, Dimension[]> };

const modelEntrySchema = z
  .object({
    name: z.string().min(1),
    base_path: z.string().min(1),
    nireq: z.int().min(1).max(1024).optional(),
    target_device: z.string().min(1).optional(),
    plugin_config: pluginConfigSchema.optional(),
    model_version_policy: versionPolicySchema.optional(),
    shape: shapeSchema.optional(),
    /** ovfleet extension: declared client-side precision per input, converted inside OpenVINO. */
    input_precision: z.record(z.string(), elementTypeSchema).optional(),
    /** Accepted for compatibility with OVMS configs; batch size comes from the model or `shape`. */
    batch_size: z.union([z.string(), z.int()]).optional(),
  })
  .strict();

const configFileSchema = z
  .object({
    model_config_list: z.array(z.object({ config: modelEntrySchema }).strict()).min(1),
    /** OVMS-only sections are accepted and ignored (ovfleet serves no pipelines). */
    monitoring: z.unknown().optional(),
  })
  .strict();

/** One model, fully resolved against the server settings. */
export interface ModelConfig {
  readonly name: string;
  readonly basePath: string;
  /** undefined = OpenVINO's OPTIMAL_NUMBER_OF_INFER_REQUESTS. */
  readonly nireq: number | undefined;
  readonly targetDevice: string;
  readonly pluginConfig: Readonly<Record<string, string>>;
  readonly versionPolicy: VersionPolicy;
  readonly shape: ShapeSpec | undefined;
  readonly inputPrecision: Readonly<Record<string, ElementType>>;
}

function stringify(config: Readonly<Record<string, string | number | boolean>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
}

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Parses config-file text (JSON). Throws ServerError OVF_ERR_CONFIG_INVALID naming the field path. */
export function parseModelConfigFile(
  text: string,
  settings: ServerSettings,
  source = 'config',
  baseDir = process.cwd(),
): ModelConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    throw new ServerError('OVF_ERR_CONFIG_INVALID', `${source}: not valid JSON`, { cause: error });
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issuePath(issue.path) || '(root)' : '(root)';
    const detail =
      issue?.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}`
        : (issue?.message ?? '');
    throw new ServerError('OVF_ERR_CONFIG_INVALID', `${source}: ${where}: ${detail}`, {
      cause: parsed.error,
    });
  }
  const names = new Set<string>();
  return parsed.data.model_config_list.map(({ config }, index) => {
    if (names.has(config.name)) {
      throw new ServerError(
        'OVF_ERR_CONFIG_INVALID',
        `${source}: model_config_list[${index}].config.name: duplicate model name "${config.name}"`,
      );
    }
    names.add(config.name);
    return Object.freeze({
      name: config.name,
      basePath: resolve(baseDir, config.base_path),
      nireq: config.nireq ?? settings.nireq,
      targetDevice: config.target_device ?? settings.target_device,
      pluginConfig: stringify(config.plugin_config ?? settings.plugin_config),
      versionPolicy: config.model_version_policy ?? { latest: { num_versions: 1 } },
      shape: config.shape,
      inputPrecision: config.input_precision ?? {},
    });
  });
}

/** The single model given by --model_name/--model_path. */
export function singleModelConfig(settings: ServerSettings): ModelConfig[] {
  if (settings.model_name === undefined || settings.model_path === undefined) return [];
  let shape: ShapeSpec | undefined;
  if (settings.shape !== undefined) {
    const parsed = shapeSchema.safeParse(settings.shape);
    if (!parsed.success) {
      throw new ServerError(
        'OVF_ERR_CONFIG_INVALID',
        `--shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    shape = parsed.data;
  }
  let versionPolicy: VersionPolicy = { latest: { num_versions: 1 } };
  if (settings.model_version_policy !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(settings.model_version_policy);
    } catch (error: unknown) {
      throw new ServerError('OVF_ERR_CONFIG_INVALID', '--model_version_policy: not valid JSON', {
        cause: error,
      });
    }
    const parsed = versionPolicySchema.safeParse(json);
    if (!parsed.success) {
      throw new ServerError(
        'OVF_ERR_CONFIG_INVALID',
        '--model_version_policy: expected {"latest":{"num_versions":N}}, {"all":{}} or {"specific":{"versions":[…]}}',
        { cause: parsed.error },
      );
    }
    versionPolicy = parsed.data;
  }
  return [
    Object.freeze({
      name: settings.model_name,
      basePath: resolve(settings.model_path),
      nireq: settings.nireq,
      targetDevice: settings.target_device,
      pluginConfig: stringify(settings.plugin_config),
      versionPolicy,
      shape,
      inputPrecision: {},
    }),
  ];
}

/** Reads the model configuration the settings point at (the config file is re-read on every call). */
export async function loadModelConfigs(
  settings: ServerSettings,
  signal?: AbortSignal,
): Promise<ModelConfig[]> {
  if (settings.config_path === undefined) return singleModelConfig(settings);
  let text: string;
  try {
    text = await readFile(settings.config_path, { encoding: 'utf8', ...(signal ? { signal } : {}) });
  } catch (error: unknown) {
    throw new ServerError('OVF_ERR_CONFIG_INVALID', `--config_path: cannot read ${settings.config_path}`, {
      cause: error,
    });
  }
  // Relative base paths are relative to the config file, as in OVMS.
  return parseModelConfigFile(text, settings, settings.config_path, dirname(resolve(settings.config_path)));
}
