// What the cluster's nodes offer, as the sizing model's NodeFacts. Pure. The sizing model assumes
// homogeneous nodes, so the facts describe the best node that can run the device (largest
// allocatable CPU; for HDDL only nodes that advertise VPUs) and how many such nodes exist; "fits the
// nodes" then means "fits a real node", not an assumption from the spec.
import type { Device, NodeFacts } from '../sizing/types.ts';
import { VPU_RESOURCE } from '../sizing/types.ts';
import type { Node } from './kube-types.ts';

/** Label an administrator may set on nodes to state hardware threads per core (default: the spec's). */
export const THREADS_PER_CORE_LABEL = 'ovfleet.io/threads-per-core';

/** Parses a CPU quantity ("80", "79500m", "1.5") into whole vCPUs, rounding down. */
export function parseCpu(quantity: string | undefined): number {
  if (quantity === undefined) return 0;
  const milli = /^(\d+)m$/.exec(quantity);
  if (milli) return Math.floor(Number(milli[1]) / 1000);
  const value = Number(quantity);
  return Number.isFinite(value) ? Math.floor(value) : 0;
}

/** Parses a count quantity (extended resources are integers, possibly with k/M suffixes). */
export function parseCount(quantity: string | undefined): number {
  if (quantity === undefined) return 0;
  const match = /^(\d+)(k|M)?$/.exec(quantity);
  if (!match) return 0;
  const base = Number(match[1]);
  return match[2] === 'k' ? base * 1000 : match[2] === 'M' ? base * 1_000_000 : base;
}

function schedulable(node: Node): boolean {
  if (node.spec?.unschedulable) return false;
  if (node.spec?.taints?.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) return false;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready === undefined || ready.status === 'True';
}

export interface ClusterNodeFacts {
  facts: NodeFacts;
  /** Node names the facts describe. */
  nodes: string[];
}

/**
 * Facts for planning `device` on these nodes, or undefined when no schedulable node can run it
 * at all (no nodes; or HDDL and no node advertises VPUs).
 */
export function nodeFactsFor(
  nodes: readonly Node[],
  device: Device,
  defaultThreadsPerCore: number,
): ClusterNodeFacts | undefined {
  const usable = nodes.filter(schedulable).filter((n) => {
    if (device !== 'HDDL') return true;
    return parseCount(n.status?.allocatable?.[VPU_RESOURCE]) > 0;
  });
  if (usable.length === 0) return undefined;
  let best = usable[0] as Node;
  for (const node of usable) {
    if (parseCpu(node.status?.allocatable?.cpu) > parseCpu(best.status?.allocatable?.cpu)) best = node;
  }
  const label = Number(best.metadata?.labels?.[THREADS_PER_CORE_LABEL]);
  return {
    facts: {
      vcpus: parseCpu(best.status?.allocatable?.cpu),
      threadsPerCore: Number.isInteger(label) && label > 0 ? label : defaultThreadsPerCore,
      count: usable.length,
      vpus: Math.max(...usable.map((n) => parseCount(n.status?.allocatable?.[VPU_RESOURCE]))),
    },
    nodes: usable.map((n) => n.metadata?.name ?? '').sort(),
  };
}
