// Decides whether a child object needs applying, without asking the server. Pure.
// Two checks: the hash of the desired object (recorded in an annotation at apply time) catches every
// change of ours, including fields we stopped setting; the subset check catches someone else's edit
// of a field we own (kubectl scale, kubectl edit of an env var). Server-set defaults and fields other
// managers added are ignored, because server-side apply would not remove them either — treating
// them as drift would write forever.
import { createHash } from 'node:crypto';
import type { KubeObject } from './kube-types.ts';

export const HASH_ANNOTATION = 'ovfleet.io/applied-hash';

/** Stable JSON (sorted keys) so the hash does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function named(list: readonly unknown[]): boolean {
  return list.every((item) => isObject(item) && typeof item.name === 'string');
}

/**
 * True when every field set in `desired` has the same value in `live`. Lists of objects that all
 * carry a `name` are matched by name (extra live items are allowed); other lists by position, and
 * lists of scalars must be equal. A number and its decimal string are equal (quantities: cpu 4 → "4").
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return desired.length === 0 && live === undefined;
    if (desired.length > 0 && named(desired) && named(live)) {
      return desired.every((item) => {
        const match = live.find((l) => (l as { name: string }).name === (item as { name: string }).name);
        return match !== undefined && isSubset(item, match);
      });
    }
    if (desired.some(isObject)) {
      return desired.length === live.length && desired.every((item, i) => isSubset(item, live[i]));
    }
    return desired.length === live.length && desired.every((item, i) => scalarEqual(item, live[i]));
  }
  if (isObject(desired)) {
    if (!isObject(live)) return Object.keys(desired).length === 0 && live === undefined;
    return Object.entries(desired).every(([key, value]) => isSubset(value, live[key]));
  }
  return scalarEqual(desired, live);
}

function scalarEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return false;
}

/** The desired object with its hash annotation, as the apply helper sends it. */
export function withHash(desired: KubeObject): KubeObject {
  const hash = hashOf(desired);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata?.annotations, [HASH_ANNOTATION]: hash },
    },
  };
}

/** Whether applying `desired` (already carrying its hash annotation) would change `live`. */
export function needsApply(desired: KubeObject, live: KubeObject | undefined): boolean {
  if (live === undefined) return true;
  const want = desired.metadata?.annotations?.[HASH_ANNOTATION];
  if (want === undefined || live.metadata?.annotations?.[HASH_ANNOTATION] !== want) return true;
  const { status: _ignored, ...spec } = desired;
  return !isSubset(spec, live);
}
