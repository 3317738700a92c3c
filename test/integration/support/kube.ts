// Small helpers over the shared test cluster: kubectl with JSON, YAML in, bounded waits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import type { Cluster } from '../../cluster/harness.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error: unknown) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await sleep(intervalMs);
  }
}

export async function getJson<T = Record<string, unknown>>(
  cluster: Cluster,
  args: readonly string[],
): Promise<T | undefined> {
  const r = await cluster.kubectlResult(['get', ...args, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${args.join(' ')}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as T;
}

export async function applyObject(cluster: Cluster, object: unknown): Promise<string> {
  return cluster.kubectl(['apply', '-f', '-'], { input: stringify(object) });
}

/** examples/<file> as an object, moved into `namespace` (and renamed when `name` is given). */
export type Json = Record<string, unknown>;

/** The value at a path of keys/indexes inside parsed JSON (undefined when any step is missing). */
export function dig<T = unknown>(value: unknown, ...path: (string | number)[]): T | undefined {
  let cur: unknown = value;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur as T | undefined;
}

export function example(
  file: string,
  namespace: string,
  name?: string,
): Json & { metadata: Json; spec: Json } {
  const doc = parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Json & {
    metadata: Json;
    spec: Json;
  };
  doc.metadata = { ...doc.metadata, namespace, ...(name ? { name } : {}) };
  return doc;
}

/** Applies crds/ (idempotent) and waits until the InferenceService API is served. */
export async function installCrd(cluster: Cluster): Promise<void> {
  await cluster.kubectl(['apply', '-f', join(ROOT, 'crds')]);
  await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    'crd/inferenceservices.ovfleet.io',
    '--timeout=60s',
  ]);
}

export async function createNamespace(cluster: Cluster, namespace: string): Promise<void> {
  await cluster.kubectlResult(['delete', 'namespace', namespace, '--wait=true', '--timeout=60s']);
  await cluster.kubectl(['create', 'namespace', namespace]);
}

/**
 * The model volume the examples mount (PVC `ocr-models`): a PersistentVolume on a host path bound to
 * the claim, so pods that mount it can be scheduled (kwok runs no containers; nothing reads it).
 */
export async function createModelVolume(
  cluster: Cluster,
  namespace: string,
  claim = 'ocr-models',
): Promise<void> {
  const pv = `${namespace}-${claim}`;
  await applyObject(cluster, {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: pv },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadOnlyMany'],
          storageClassName: '',
          persistentVolumeReclaimPolicy: 'Retain',
          hostPath: { path: `/var/lib/ovfleet-models/${namespace}` },
          claimRef: { namespace, name: claim },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claim, namespace },
        spec: {
          accessModes: ['ReadOnlyMany'],
          storageClassName: '',
          volumeName: pv,
          resources: { requests: { storage: '1Gi' } },
        },
      },
    ],
  });
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export async function isvcStatus(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<{ conditions: Record<string, Condition>; raw: Json } | undefined> {
  const isvc = await getJson<Json>(cluster, ['inferenceservice', name, '-n', namespace]);
  if (!isvc) return undefined;
  const list = dig<Condition[]>(isvc, 'status', 'conditions') ?? [];
  return { conditions: Object.fromEntries(list.map((c) => [c.type, c])), raw: isvc };
}

/** Polls until the InferenceService's condition `type` has `status`; returns the status seen then. */
export async function waitForCondition(
  cluster: Cluster,
  namespace: string,
  name: string,
  type: string,
  status: 'True' | 'False',
  timeoutMs = 60_000,
): Promise<{ conditions: Record<string, Condition>; raw: Json }> {
  return eventually(
    `${type}=${status} on ${namespace}/${name}`,
    async () => {
      const s = await isvcStatus(cluster, namespace, name);
      return s?.conditions[type]?.status === status ? s : undefined;
    },
    timeoutMs,
  );
}
