// The server's settings: THE contract between the operator (which renders them into pod args) and
// ovfleet-server (which parses them). Flag names follow OpenVINO Model Server so that the same args
// drive either runtime; `OVMS_FLAGS` lists the ones the official image accepts.
import { z } from 'zod';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export const ENGINES = ['auto', 'ov-c', 'openvino-node'] as const;

const port = z.int().min(0).max(65535);
/** plugin_config values: OpenVINO takes strings; numbers and booleans are accepted and stringified. */
export const pluginConfigSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type PluginConfig = z.infer<typeof pluginConfigSchema>;

const fieldsSchema = z
  .object({
    /** gRPC port; 0 disables gRPC. */
    port: port.default(9000),
    /** REST port; 0 disables REST (and /metrics). */
    rest_port: port.default(8000),
    grpc_bind_address: z.string().min(1).default('0.0.0.0'),
    rest_bind_address: z.string().min(1).default('0.0.0.0'),
    model_name: z.string().min(1).optional(),
    model_path: z.string().min(1).optional(),
    config_path: z.string().min(1).optional(),
    /** OVMS syntax, JSON: {"latest":{"num_versions":1}} | {"all":{}} | {"specific":{"versions":[1,3]}}. */
    model_version_policy: z.string().min(1).optional(),
    /** Infer requests per model (parallel inferences); default: OpenVINO's optimal number. */
    nireq: z.int().min(1).max(1024).optional(),
    target_device: z.string().min(1).default('CPU'),
    plugin_config: pluginConfigSchema.default({}),
    /** Model reshape, OVMS syntax: "(1,3,224,224)" or '{"input": "(1,3,224,224)"}' or "auto". */
    shape: z.string().min(1).optional(),
    grpc_workers: z.int().min(1).max(256).default(1),
    rest_workers: z.int().min(1).max(256).default(1),
    log_level: z.enum(LOG_LEVELS).default('INFO'),
    /** Seconds between model-repository scans; 0 turns polling off. */
    file_system_poll_wait_seconds: z.int().min(0).default(1),
    // ---- ovfleet-only settings (not passed to the OVMS runtime) ----
    engine: z.enum(ENGINES).default('auto'),
    /** Requests allowed to wait for a free infer request, per model, before 429/RESOURCE_EXHAUSTED. */
    max_queue_size: z.int().min(0).default(256),
    /** Per-request deadline in milliseconds (0 = none) when the client sets none. */
    request_timeout_ms: z.int().min(0).default(0),
    /** Largest accepted gRPC message / REST body, in bytes. */
    max_message_bytes: z
      .int()
      .min(1024)
      .default(64 * 1024 * 1024),
  })
  .strict();

export const serverSettingsSchema = fieldsSchema.superRefine((s, ctx) => {
  if (s.config_path !== undefined && (s.model_name !== undefined || s.model_path !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['config_path'],
      message: 'use either --config_path or --model_name/--model_path, not both',
    });
  }
  if (s.config_path === undefined && (s.model_name === undefined || s.model_path === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: s.model_name === undefined ? ['model_name'] : ['model_path'],
      message: 'a single model needs both --model_name and --model_path (or give --config_path)',
    });
  }
  if (s.port === 0 && s.rest_port === 0) {
    ctx.addIssue({ code: 'custom', path: ['port'], message: 'gRPC and REST cannot both be disabled' });
  }
  if (s.port !== 0 && s.port === s.rest_port) {
    ctx.addIssue({ code: 'custom', path: ['rest_port'], message: 'REST and gRPC ports must differ' });
  }
});

export type ServerSettingsInput = z.input<typeof serverSettingsSchema>;
export type ServerSettings = Readonly<z.output<typeof serverSettingsSchema>>;
type Key = keyof z.output<typeof fieldsSchema>;

/** Flags the official OpenVINO Model Server image accepts (the rest are ovfleet's own). */
export const OVMS_FLAGS: ReadonlySet<Key> = new Set<Key>([
  'port',
  'rest_port',
  'grpc_bind_address',
  'rest_bind_address',
  'model_name',
  'model_path',
  'config_path',
  'model_version_policy',
  'nireq',
  'target_device',
  'plugin_config',
  'shape',
  'grpc_workers',
  'rest_workers',
  'log_level',
  'file_system_poll_wait_seconds',
]);

const KEYS = Object.keys(fieldsSchema.shape) as Key[];
const NUMERIC_KEYS = new Set<Key>([
  'port',
  'rest_port',
  'nireq',
  'grpc_workers',
  'rest_workers',
  'file_system_poll_wait_seconds',
  'max_queue_size',
  'request_timeout_ms',
  'max_message_bytes',
]);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`--${field}: ${message}`, options);
    this.field = field;
  }
}

function firstIssue(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'arguments';
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    return new ConfigError(key, 'unknown flag', { cause: error });
  }
  return new ConfigError(field, issue?.message ?? 'invalid value', { cause: error });
}

/** Validates settings given as an object (defaults applied, result frozen). */
export function serverSettings(input: ServerSettingsInput): ServerSettings {
  const parsed = serverSettingsSchema.safeParse(input);
  if (!parsed.success) throw firstIssue(parsed.error);
  return Object.freeze(parsed.data);
}

/**
 * Parses OVMS-style command-line flags (`--name value` or `--name=value`) into validated settings.
 * Throws ConfigError naming the flag on any problem.
 */
export function parseServerArgs(argv: readonly string[]): ServerSettings {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (!token.startsWith('--')) throw new ConfigError(token, 'expected a flag starting with --');
    const eq = token.indexOf('=');
    const name = (eq === -1 ? token.slice(2) : token.slice(2, eq)).replaceAll('-', '_');
    let value: string | undefined;
    if (eq !== -1) value = token.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new ConfigError(name, 'missing value');
    if (!KEYS.includes(name as Key)) throw new ConfigError(name, 'unknown flag');
    raw[name] = coerce(name as Key, value);
  }
  return serverSettings(raw as ServerSettingsInput);
}

function coerce(key: Key, value: string): unknown {
  if (NUMERIC_KEYS.has(key)) {
    if (!/^-?\d+$/.test(value.trim())) throw new ConfigError(key, `expected an integer, got "${value}"`);
    return Number(value);
  }
  if (key === 'plugin_config') {
    try {
      return JSON.parse(value) as unknown;
    } catch (error: unknown) {
      throw new ConfigError(key, `expected a JSON object, got ${JSON.stringify(value)}`, { cause: error });
    }
  }
  return value;
}

export type ArgsFlavor = 'ovfleet' | 'ovms';

/**
 * Turns settings into command-line args that `parseServerArgs` (or, for the `ovms` flavor, the
 * official OpenVINO Model Server) accepts. Settings equal to their default are left out so the
 * rendered pod spec stays short; the result round-trips through `parseServerArgs`.
 */
export function toServerArgs(settings: ServerSettingsInput, flavor: ArgsFlavor = 'ovfleet'): string[] {
  const full = serverSettings(settings);
  const defaults = fieldsSchema.parse({});
  const args: string[] = [];
  for (const key of KEYS) {
    const value = full[key];
    if (value === undefined) continue;
    if (flavor === 'ovms' && !OVMS_FLAGS.has(key)) continue;
    const isDefault = JSON.stringify(value) === JSON.stringify(defaults[key]);
    // OVMS's own defaults differ from ours for ports, so ports are always spelled out.
    if (isDefault && key !== 'port' && key !== 'rest_port') continue;
    args.push(`--${key}`, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return args;
}
