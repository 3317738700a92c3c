// `ovfleet plan` flags that set sizing fields: each maps to one path of the spec, so flags and files
// are validated by the same schema and errors name both the flag and the field.
import { OperatorError } from '../errors.ts';

export const SIZING_FLAGS = {
  vcpus: ['budget', 'vcpus'],
  vpus: ['budget', 'vpus'],
  objective: ['objective'],
  device: ['device'],
  runtime: ['runtime'],
  threading: ['threading'],
  nodeVcpus: ['node', 'vcpus'],
  threadsPerCore: ['node', 'threadsPerCore'],
  nodeCount: ['node', 'count'],
  nodeVpus: ['node', 'vpus'],
  vcpusPerInstance: ['overrides', 'vcpusPerInstance'],
  replicas: ['overrides', 'replicas'],
  nireq: ['overrides', 'nireq'],
  streams: ['overrides', 'streams'],
  threads: ['overrides', 'threads'],
  grpcWorkers: ['overrides', 'grpcWorkers'],
  restWorkers: ['overrides', 'restWorkers'],
} as const satisfies Record<string, readonly string[]>;
export type SizingFlag = keyof typeof SIZING_FLAGS;

/** `nodeVcpus` → `--node-vcpus`. */
export function flagName(key: SizingFlag): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Integers become numbers; anything else stays a string for the schema to reject by name. */
export function parseFlagValue(value: string): string | number {
  return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}

/** Writes the given flags into a copy of `spec` (plain data), creating nested objects as needed. */
export function applySizingFlags(
  spec: Readonly<Record<string, unknown>>,
  flags: Partial<Record<SizingFlag, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(spec) as Record<string, unknown>;
  for (const [key, path] of Object.entries(SIZING_FLAGS) as [SizingFlag, readonly string[]][]) {
    const value = flags[key];
    if (value === undefined) continue;
    let cur = out;
    for (const part of path.slice(0, -1)) {
      const next = cur[part];
      if (typeof next !== 'object' || next === null) cur[part] = {};
      cur = cur[part] as Record<string, unknown>;
    }
    cur[path[path.length - 1] ?? ''] = value;
  }
  return out;
}

/** Rewrites `spec.budget.vcpus: …` lines into `--vcpus (spec.budget.vcpus): …` for flag input. */
export function nameFlagsInError(error: OperatorError): OperatorError {
  const byPath = new Map<string, string>();
  for (const [key, path] of Object.entries(SIZING_FLAGS) as [SizingFlag, readonly string[]][]) {
    byPath.set(`spec.${path.join('.')}`, flagName(key));
  }
  const lines = error.message.split('\n').map((line) => {
    const colon = line.indexOf(':');
    const flag = colon === -1 ? undefined : byPath.get(line.slice(0, colon));
    return flag === undefined ? line : `${flag} (${line.slice(0, colon)})${line.slice(colon)}`;
  });
  return new OperatorError(error.code, lines.join('\n'), { cause: error });
}
