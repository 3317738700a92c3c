// How a new plan reaches a running Deployment. Pure.
// A plan that changes the instance shape (the pod template) AND adds replicas cannot be applied in
// one step: the Deployment controller scales proportionally across the old and the new ReplicaSet, so
// the extra replicas partly land on the OLD shape — with a budget-tight rollout (no surge) and big old
// instances (e.g. latency 1 × 80 vCPU → throughput 20 × 4) they do not fit and the rollout deadlocks
// with pods pending forever. So the new shape rolls out first at the current replica count, and the
// replicas grow only once that rollout has finished.
import { isSubset } from './drift.ts';
import type { Deployment, KubeObject } from './kube-types.ts';

export interface StagedDeployment {
  /** What to apply now. */
  deployment: KubeObject;
  /** Set when the replica increase is held back until the new shape has rolled out. */
  holding?: { now: number; target: number };
}

function rolledOut(live: Deployment): boolean {
  const st = live.status ?? {};
  const want = live.spec?.replicas ?? 1;
  return (
    (st.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0) &&
    (st.updatedReplicas ?? 0) === want &&
    (st.replicas ?? 0) === want &&
    (st.availableReplicas ?? 0) === want
  );
}

export function stageDeployment(desired: KubeObject, live: Deployment | undefined): StagedDeployment {
  const spec = desired.spec as { replicas?: number; template?: unknown } | undefined;
  const target = spec?.replicas ?? 1;
  const current = live?.spec?.replicas;
  if (live === undefined || current === undefined || target <= current) return { deployment: desired };
  const sameShape = isSubset(spec?.template, live.spec?.template);
  if (sameShape && rolledOut(live)) return { deployment: desired };
  return {
    deployment: { ...desired, spec: { ...spec, replicas: current } },
    holding: { now: current, target },
  };
}
