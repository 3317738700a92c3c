// The JSON every benchmark writes to bench/results/<name>-<timestamp>.json: one envelope (what ran,
// where, when), the benchmark's own rows, and the targets it checks, each met, missed or not measured.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const BENCH_NAMES = ['server', 'sizing', 'operator'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export const targetSchema = z.object({
  /** What is compared, e.g. "tiny gRPC throughput / in-process limit at saturation". */
  name: z.string().min(1),
  /** The goal, e.g. ">= 0.90". */
  goal: z.string().min(1),
  measured: z.number().nullable(),
  status: z.enum(['met', 'missed', 'not-measured']),
  /** Why, when missed or not measured (with the profile evidence where there is one). */
  note: z.string().optional(),
});
export type Target = z.infer<typeof targetSchema>;

export const hostSchema = z.object({
  hostname: z.string(),
  cpuModel: z.string(),
  vcpus: z.int().positive(),
  node: z.string(),
});

export const benchResultSchema = z.object({
  bench: z.enum(BENCH_NAMES),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  host: hostSchema,
  /** Settings the run used (durations, concurrency levels, model shapes …). */
  settings: z.record(z.string(), z.unknown()),
  /** The benchmark's measurements; each benchmark documents its row shape. */
  rows: z.array(z.record(z.string(), z.unknown())),
  targets: z.array(targetSchema),
  /** Things that did not run, and why. */
  notes: z.array(z.string()),
});
export type BenchResult = z.infer<typeof benchResultSchema>;

/** Decides a target's status: `higherIsBetter` goals are met when measured ≥ goal, else ≤ goal. */
export function checkTarget(
  name: string,
  goal: number,
  measured: number | null,
  options: { readonly higherIsBetter?: boolean; readonly unit?: string; readonly note?: string } = {},
): Target {
  const higher = options.higherIsBetter ?? true;
  const unit = options.unit ? ` ${options.unit}` : '';
  const status =
    measured === null ? 'not-measured' : (higher ? measured >= goal : measured <= goal) ? 'met' : 'missed';
  return {
    name,
    goal: `${higher ? '>=' : '<='} ${goal}${unit}`,
    measured,
    status,
    ...(options.note === undefined ? {} : { note: options.note }),
  };
}

export function hostFacts(): z.infer<typeof hostSchema> {
  const cpu = cpus();
  return {
    hostname: hostname(),
    cpuModel: cpu[0]?.model ?? 'unknown',
    vcpus: Math.max(1, cpu.length),
    node: process.version,
  };
}

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Validates and writes the result; returns the file path. */
export async function writeResult(result: BenchResult, dir = RESULTS_DIR): Promise<string> {
  const checked = benchResultSchema.parse(result);
  await mkdir(dir, { recursive: true });
  const stamp = checked.startedAt.replaceAll(':', '').replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `${checked.bench}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(checked, null, 2)}\n`);
  return file;
}

export function formatTargets(targets: readonly Target[]): string {
  return targets
    .map((t) => {
      const measured = t.measured === null ? '—' : String(Math.round(t.measured * 1000) / 1000);
      return `  [${t.status}] ${t.name}: ${measured} (goal ${t.goal})${t.note ? ` — ${t.note}` : ''}`;
    })
    .join('\n');
}
