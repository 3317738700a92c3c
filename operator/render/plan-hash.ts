// A short, stable hash of what in the plan reaches a pod (the pod template's annotation). Fleet-level
// numbers (replicas, packing, totals) and the rationale text are left out: scaling the fleet or
// rewording an explanation must not roll every pod.
import { createHash } from 'node:crypto';
import type { Plan } from '../sizing/types.ts';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

export function planHash(plan: Plan): string {
  const {
    rationale: _rationale,
    replicas: _replicas,
    packing: _packing,
    totals: _totals,
    fits: _fits,
    violations: _violations,
    ...podLevel
  } = plan;
  const text = JSON.stringify(canonical(podLevel));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
