// What the InferenceService's status says, computed from what reconcile saw. Pure.
// Conditions:
//   PlanFits    — the plan fits the budget and a real node (False: nothing new is created; see below)
//   Ready       — the Deployment is rolled out: every desired replica updated, ready and available
//   Progressing — a rollout is under way
//   Degraded    — something needs a human: invalid spec, a plan that cannot fit, a child owned by
//                 someone else, or a Deployment that reports a failure
// When the plan does not fit, the controller creates and changes nothing (it never makes pods that
// would pend forever); an existing Deployment from an earlier plan keeps serving and Ready reports it.
import type { InferenceServiceStatus, PlanSummary } from '../api/status.ts';
import { type ConditionSet, mergeConditions, sameConditions } from './conditions.ts';
import type { Condition, Deployment } from './kube-types.ts';

/** Why reconcile stopped short of applying, if it did. */
export type Blocker =
  | { kind: 'invalid-spec'; message: string }
  | { kind: 'no-nodes'; message: string }
  | { kind: 'plan-unfit'; reason: string; message: string }
  | { kind: 'not-owned'; message: string }
  | { kind: 'none' };

export interface StatusInput {
  generation: number;
  blocker: Blocker;
  /** Summary of the plan (also when it does not fit, so the user sees what was computed). */
  plan?: PlanSummary;
  /** Human summary of the plan for the PlanFits message, e.g. "20 × 4 vCPU on 1 of 2 nodes". */
  planText?: string;
  /** The live Deployment (undefined when none exists). */
  deployment?: Deployment;
  selector?: string;
  endpoints?: { grpc: string; rest: string };
  /** The new instance shape rolls out at `now` replicas before growing to `target` (see rollout.ts). */
  holding?: { now: number; target: number };
}

const c = (status: 'True' | 'False' | 'Unknown', reason: string, message: string) => ({
  status,
  reason,
  message,
});

interface Rollout {
  desired: number;
  ready: number;
  updated: number;
  available: number;
  done: boolean;
  failure?: string;
}

function rolloutOf(deployment: Deployment): Rollout {
  const desired = deployment.spec?.replicas ?? 1;
  const st = deployment.status ?? {};
  const ready = st.readyReplicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const current = (st.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const total = st.replicas ?? 0;
  const done =
    current && updated === desired && ready === desired && available === desired && total === desired;
  const failed = st.conditions?.find(
    (x) =>
      (x.type === 'ReplicaFailure' && x.status === 'True') ||
      (x.type === 'Progressing' && x.status === 'False' && x.reason === 'ProgressDeadlineExceeded'),
  );
  const rollout: Rollout = { desired, ready, updated, available, done };
  if (failed) rollout.failure = `${failed.reason ?? failed.type}: ${failed.message ?? ''}`.trim();
  return rollout;
}

function readyConditions(deployment: Deployment | undefined): Pick<ConditionSet, 'Ready' | 'Progressing'> {
  if (deployment === undefined) {
    return {
      Ready: c('False', 'DeploymentMissing', 'the Deployment does not exist yet'),
      Progressing: c('True', 'Creating', 'creating the Deployment'),
    };
  }
  const r = rolloutOf(deployment);
  const counts = `${r.ready}/${r.desired} instances ready, ${r.updated} updated`;
  if (r.done) {
    return {
      Ready: c('True', 'AllReplicasReady', `${r.ready}/${r.desired} instances ready`),
      Progressing: c('False', 'RolloutComplete', `the Deployment runs the applied plan (${counts})`),
    };
  }
  return {
    Ready: c('False', 'ReplicasNotReady', counts),
    Progressing: c('True', 'RollingOut', counts),
  };
}

/** The condition values for this reconcile. */
export function conditionValues(input: StatusInput): ConditionSet {
  const h = input.holding;
  const live = h
    ? {
        Ready: c(
          'False',
          'RollingOut',
          `rolling out the new instance shape at ${h.now} replica(s) before scaling to ${h.target}`,
        ),
        Progressing: c(
          'True',
          'RollingOutBeforeScaling',
          `new shape first at ${h.now} replica(s), then ${h.target}`,
        ),
      }
    : readyConditions(input.deployment);
  const failure = input.deployment ? rolloutOf(input.deployment).failure : undefined;
  const b = input.blocker;
  switch (b.kind) {
    case 'invalid-spec':
      return {
        Ready: input.deployment ? live.Ready : c('False', 'InvalidSpec', b.message),
        Progressing: c('False', 'InvalidSpec', 'nothing applied: the spec is invalid'),
        Degraded: c('True', 'InvalidSpec', b.message),
        PlanFits: c('Unknown', 'InvalidSpec', 'no plan: the spec is invalid'),
      };
    case 'no-nodes':
      return {
        Ready: input.deployment ? live.Ready : c('False', 'NoSchedulableNodes', b.message),
        Progressing: c('False', 'NoSchedulableNodes', 'nothing applied: no node can run the instances'),
        Degraded: c('True', 'NoSchedulableNodes', b.message),
        PlanFits: c('False', 'NoSchedulableNodes', b.message),
      };
    case 'plan-unfit':
      return {
        Ready: input.deployment ? live.Ready : c('False', 'PlanDoesNotFit', b.message),
        Progressing: c(
          'False',
          'PlanDoesNotFit',
          'nothing applied: the plan does not fit (no pods that would pend forever)',
        ),
        Degraded: c('True', 'PlanDoesNotFit', b.message),
        PlanFits: c('False', b.reason, b.message),
      };
    case 'not-owned':
      return {
        ...live,
        Degraded: c('True', 'NotOwned', b.message),
        PlanFits: c('True', 'Fits', input.planText ?? 'the plan fits'),
      };
    case 'none':
      return {
        ...live,
        Degraded: failure
          ? c('True', 'DeploymentFailing', failure)
          : c('False', 'AsExpected', 'no problems seen'),
        PlanFits: c('True', 'Fits', input.planText ?? 'the plan fits'),
      };
  }
}

/** The full status object to write, keeping transition times of unchanged conditions. */
export function buildStatus(input: StatusInput, previous: InferenceServiceStatus | undefined, now: Date) {
  const conditions = mergeConditions(
    previous?.conditions as Condition[] | undefined,
    conditionValues(input),
    input.generation,
    now,
  );
  const status: InferenceServiceStatus = {
    observedGeneration: input.generation,
    conditions: conditions as InferenceServiceStatus['conditions'],
    replicas: input.deployment?.status?.replicas ?? 0,
    readyReplicas: input.deployment?.status?.readyReplicas ?? 0,
  };
  if (input.plan) status.plan = input.plan;
  if (input.selector) status.selector = input.selector;
  if (input.endpoints) status.endpoints = input.endpoints;
  return status;
}

/** Whether writing `next` would change anything a user can see (transition times aside). */
export function statusChanged(
  previous: InferenceServiceStatus | undefined,
  next: InferenceServiceStatus,
): boolean {
  if (previous === undefined) return true;
  const { conditions: a, ...restA } = previous;
  const { conditions: b, ...restB } = next;
  if (!sameConditions(a as Condition[] | undefined, b as Condition[] | undefined)) return true;
  return JSON.stringify(sortKeys(restA)) !== JSON.stringify(sortKeys(restB));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
