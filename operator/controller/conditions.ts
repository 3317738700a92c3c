// Status conditions, keyed by type. Pure: the reconcile computes what each condition says now, and
// mergeConditions keeps lastTransitionTime from the previous status when the status value did not
// change — so an unchanged world produces an identical status and no write.
import type { Condition, ConditionStatus } from './kube-types.ts';

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded' | 'PlanFits';

/** Order in which conditions appear in status (kubectl describe shows them in this order). */
export const CONDITION_TYPES: readonly ConditionType[] = ['Ready', 'Progressing', 'Degraded', 'PlanFits'];

export interface ConditionValue {
  status: ConditionStatus;
  reason: string;
  message: string;
}

export type ConditionSet = Record<ConditionType, ConditionValue>;

/**
 * Turns the computed values into conditions[]: a condition whose status is unchanged keeps its old
 * lastTransitionTime; a new or flipped one gets `now`.
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: ConditionSet,
  generation: number,
  now: Date,
): Condition[] {
  return CONDITION_TYPES.map((type) => {
    const value = next[type];
    const old = previous?.find((c) => c.type === type);
    const lastTransitionTime =
      old?.lastTransitionTime && old.status === value.status ? old.lastTransitionTime : rfc3339(now);
    return { type, ...value, lastTransitionTime, observedGeneration: generation };
  });
}

/** Conditions equal in everything but lastTransitionTime. */
export function sameConditions(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const strip = (list: readonly Condition[] | undefined): string =>
    JSON.stringify(
      (list ?? []).map(({ type, status, reason, message, observedGeneration }) => ({
        type,
        status,
        reason,
        message,
        observedGeneration,
      })),
    );
  return strip(a) === strip(b);
}

/** RFC 3339 at second precision, as metav1.Time serialises. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A rule name like `instance-fits-node-vcpus` as a CamelCase condition reason. */
export function reasonOf(rule: string): string {
  return rule
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
