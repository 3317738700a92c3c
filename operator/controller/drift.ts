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
 * lists of scalars must be equal. Scalars compare as quantities where both read as one (cpu 4 = "4",
 * memory "2048Mi" = "2Gi").
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

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The value of a Kubernetes quantity ("2048Mi", "500m", "4"), or undefined for other strings. The
 * API server stores quantities in canonical form ("2048Mi" comes back as "2Gi"), so they compare by
 * value, not text.
 */
export function quantityValue(text: string): number | undefined {
  const match = /^([+-]?\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? 1);
}

function scalarEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const text = (v: unknown) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined);
  const [x, y] = [text(a), text(b)];
  if (x === undefined || y === undefined) return false;
  if (x === y) return true;
  const [qx, qy] = [quantityValue(x), quantityValue(y)];
  return qx !== undefined && qy !== undefined && Math.abs(qx - qy) <= Math.abs(qx) * 1e-12;
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
