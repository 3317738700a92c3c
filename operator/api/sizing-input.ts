// Maps a validated spec onto the sizing model's input. The controller passes the facts it read from
// the cluster's nodes; the CLI passes none and the spec's `node` assumptions apply.
import type { NodeFacts, Overrides, SizingInput } from '../sizing/types.ts';
import type { SizingSpec } from './spec.ts';

/** Overrides without absent keys (exactOptionalPropertyTypes: absent, never `undefined`). */
function definedOverrides(spec: SizingSpec): Overrides {
  const out: Overrides = {};
  const o = spec.overrides;
  if (o === undefined) return out;
  if (o.vcpusPerInstance !== undefined) out.vcpusPerInstance = o.vcpusPerInstance;
  if (o.replicas !== undefined) out.replicas = o.replicas;
  if (o.nireq !== undefined) out.nireq = o.nireq;
  if (o.streams !== undefined) out.streams = o.streams;
  if (o.threads !== undefined) out.threads = o.threads;
  if (o.grpcWorkers !== undefined) out.grpcWorkers = o.grpcWorkers;
  if (o.restWorkers !== undefined) out.restWorkers = o.restWorkers;
  return out;
}

/**
 * Node facts the spec implies: per-node vCPUs and threads per core as given; VPUs per node default to
 * the whole VPU budget (one card); the node count defaults to as many nodes as the budget needs.
 */
export function nodeFactsFromSpec(spec: SizingSpec): NodeFacts {
  const vpus = spec.node.vpus ?? spec.budget.vpus;
  const byCpu = Math.ceil(spec.budget.vcpus / spec.node.vcpus);
  const byVpu = vpus > 0 ? Math.ceil(spec.budget.vpus / vpus) : 1;
  return {
    vcpus: spec.node.vcpus,
    threadsPerCore: spec.node.threadsPerCore,
    count: spec.node.count ?? Math.max(1, byCpu, byVpu),
    vpus,
  };
}

export function toSizingInput(spec: SizingSpec, nodeFacts?: NodeFacts): SizingInput {
  return {
    objective: spec.objective,
    budget: { vcpus: spec.budget.vcpus, vpus: spec.budget.vpus },
    device: spec.device,
    runtime: spec.runtime,
    threading: spec.threading,
    node: nodeFacts !== undefined ? { ...nodeFacts } : nodeFactsFromSpec(spec),
    overrides: definedOverrides(spec),
  };
}
