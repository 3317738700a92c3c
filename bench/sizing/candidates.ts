// The sizing sweep's search space and how a plan maps into it (pure). A candidate is one way to
// spend the CPU budget: instances × (threads, streams, nireq, workers) each on its own CPUs.
import { z } from 'zod';

export interface Candidate {
  readonly instances: number;
  readonly vcpusPerInstance: number;
  readonly threads: number;
  readonly streams: number;
  readonly nireq: number;
  readonly workers: number;
}

export const OBJECTIVES = ['throughput', 'latency'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export function candidateKey(c: Candidate): string {
  return `${c.instances}x${c.vcpusPerInstance}cpu t${c.threads} s${c.streams} nireq${c.nireq} w${c.workers}`;
}

/** PERFORMANCE_HINT follows the stream count (explicit NUM_STREAMS/threads win over it anyway). */
export function ovProperties(c: Candidate): Record<string, string> {
  return {
    PERFORMANCE_HINT: c.streams > 1 ? 'THROUGHPUT' : 'LATENCY',
    NUM_STREAMS: String(c.streams),
    INFERENCE_NUM_THREADS: String(c.threads),
    ENABLE_CPU_PINNING: 'YES',
  };
}

/**
 * Every candidate for a budget of `vcpus` on one node: instances dividing the budget evenly; per
 * instance threads 1…vcpus, streams 1…threads (dividing threads), nireq = streams or 2 × streams,
 * workers 1…min(vcpus, 2).
 */
export function enumerateCandidates(vcpus: number): Candidate[] {
  const out: Candidate[] = [];
  for (let instances = 1; instances <= vcpus; instances++) {
    if (vcpus % instances !== 0) continue;
    const per = vcpus / instances;
    for (let threads = 1; threads <= per; threads++) {
      for (let streams = 1; streams <= threads; streams++) {
        if (threads % streams !== 0) continue;
        for (const nireq of [streams, 2 * streams]) {
          for (let workers = 1; workers <= Math.min(per, 2); workers++) {
            out.push({ instances, vcpusPerInstance: per, threads, streams, nireq, workers });
          }
        }
      }
    }
  }
  return out;
}

/** The CPUs instance `index` is pinned to: consecutive blocks of vcpusPerInstance. */
export function cpuList(c: Candidate, index: number): string {
  const first = index * c.vcpusPerInstance;
  return Array.from({ length: c.vcpusPerInstance }, (_, i) => String(first + i)).join(',');
}

/** The part of `ovfleet plan -o json` the sweep compares. */
export const planJsonSchema = z.object({
  replicas: z.int().positive(),
  vcpusPerInstance: z.int().positive(),
  ovProperties: z.record(z.string(), z.string()),
  nireq: z.int().positive(),
  grpcWorkers: z.int().positive(),
  rationale: z.array(z.object({ field: z.string(), value: z.string(), reason: z.string() })),
});
export type PlanJson = z.infer<typeof planJsonSchema>;

export function planToCandidate(plan: PlanJson): Candidate {
  const threads = Number(plan.ovProperties.INFERENCE_NUM_THREADS ?? plan.vcpusPerInstance);
  return {
    instances: plan.replicas,
    vcpusPerInstance: plan.vcpusPerInstance,
    threads,
    streams: Number(plan.ovProperties.NUM_STREAMS ?? 1),
    nireq: plan.nireq,
    workers: plan.grpcWorkers,
  };
}

/** The plan field (as its rationale names it) behind each candidate dimension. */
const RULE_FIELD: Record<keyof Candidate, string> = {
  instances: 'replicas',
  vcpusPerInstance: 'vcpusPerInstance',
  threads: 'ovProperties.INFERENCE_NUM_THREADS',
  streams: 'ovProperties.NUM_STREAMS',
  nireq: 'nireq',
  workers: 'grpcWorkers',
};

/** Where the plan differs from the best candidate: the rule (field + the plan's own reason) and both values. */
export function ruleDifferences(
  plan: PlanJson,
  best: Candidate,
): { field: string; planValue: number; bestValue: number; planReason: string }[] {
  const chosen = planToCandidate(plan);
  return (Object.keys(RULE_FIELD) as (keyof Candidate)[])
    .filter((k) => chosen[k] !== best[k])
    .map((k) => ({
      field: RULE_FIELD[k],
      planValue: chosen[k],
      bestValue: best[k],
      planReason: plan.rationale.find((r) => r.field === RULE_FIELD[k])?.reason ?? '(no rationale line)',
    }));
}
