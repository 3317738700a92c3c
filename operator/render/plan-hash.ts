// A short, stable hash of everything in the plan that reaches a pod. Rationale text is left out, so
// rewording an explanation does not roll a fleet.
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
  const { rationale: _rationale, ...rest } = plan;
  const text = JSON.stringify(canonical(rest));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
