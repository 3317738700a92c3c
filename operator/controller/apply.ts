// The one apply helper every child goes through (CONVENTIONS 3): server-side apply with the fixed
// field manager, the InferenceService as controlling owner (so deleting it garbage-collects the
// child), a refusal to touch an object some other owner controls, no request at all when the live
// object already matches, and an Event on the owner for every change.
import type { Logger } from 'pino';
import { OperatorError } from '../errors.ts';
import { needsApply, withHash } from './drift.ts';
import type { EventRecorder, EventTarget } from './events.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject, OwnerReference } from './kube-types.ts';

export type ChildKind = 'Deployment' | 'Service' | 'PodDisruptionBudget';

export const CHILD_KINDS: readonly ChildKind[] = ['Deployment', 'Service', 'PodDisruptionBudget'];

/** Where each child kind lives in the API. */
export const CHILD_API: Record<ChildKind, { apiVersion: string; group: string; plural: string }> = {
  Deployment: { apiVersion: 'apps/v1', group: '/apis/apps/v1', plural: 'deployments' },
  Service: { apiVersion: 'v1', group: '/api/v1', plural: 'services' },
  PodDisruptionBudget: { apiVersion: 'policy/v1', group: '/apis/policy/v1', plural: 'poddisruptionbudgets' },
};

export function isChildKind(kind: string | undefined): kind is ChildKind {
  return kind !== undefined && (CHILD_KINDS as readonly string[]).includes(kind);
}

export function childPath(kind: ChildKind, namespace: string, name?: string): string {
  const api = CHILD_API[kind];
  const base = `${api.group}/namespaces/${namespace}/${api.plural}`;
  return name === undefined ? base : `${base}/${name}`;
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface ApplyResult {
  outcome: ApplyOutcome;
  /** The object as the server now has it (the apply response, or the cached live object). */
  object: KubeObject;
}

export interface ApplyContext {
  client: KubeClient;
  owner: EventTarget;
  events: EventRecorder;
  /** The live object as the informer cache has it (undefined: does not exist). */
  live: (kind: ChildKind, namespace: string, name: string) => KubeObject | undefined;
  logger: Logger;
  signal: AbortSignal;
}

function ownerReference(owner: EventTarget): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `object` is controlled by `owner` (by uid, as the garbage collector sees it). */
export function ownedBy(object: KubeObject, owner: { uid: string }): boolean {
  return (object.metadata?.ownerReferences ?? []).some(
    (ref) => ref.uid === owner.uid && ref.controller === true,
  );
}

/** Applies one child; throws OVF_ERR_CONTROLLER_CHILD_NOT_OWNED for an object owned by someone else. */
export async function applyChild(ctx: ApplyContext, child: KubeObject): Promise<ApplyResult> {
  const kind = child.kind;
  if (!isChildKind(kind)) {
    throw new OperatorError('OVF_ERR_RENDER_FAILED', `render produced an unsupported kind ${String(kind)}`);
  }
  const name = child.metadata?.name ?? '';
  const namespace = ctx.owner.namespace;
  const others = (child.metadata?.ownerReferences ?? []).filter((ref) => ref.uid !== ctx.owner.uid);
  const desired = withHash({
    ...child,
    apiVersion: CHILD_API[kind].apiVersion,
    metadata: { ...child.metadata, name, namespace, ownerReferences: [...others, ownerReference(ctx.owner)] },
  });
  const live = ctx.live(kind, namespace, name);
  if (live !== undefined && !ownedBy(live, ctx.owner)) {
    const message = `${kind} ${namespace}/${name} exists and is not controlled by InferenceService ${ctx.owner.name}; leaving it alone`;
    await ctx.events.record(ctx.owner, 'Warning', 'NotOwned', 'Apply', message, ctx.signal);
    throw new OperatorError('OVF_ERR_CONTROLLER_CHILD_NOT_OWNED', message);
  }
  if (live !== undefined && !needsApply(desired, live)) return { outcome: 'unchanged', object: live };
  const applied = await ctx.client.apply(childPath(kind, namespace, name), desired, ctx.signal);
  const outcome: ApplyOutcome = live === undefined ? 'created' : 'updated';
  ctx.logger.info({ kind, child: name, outcome }, 'applied child');
  // Events never fail the apply and need not hold up the reconcile.
  void ctx.events.record(
    ctx.owner,
    'Normal',
    outcome === 'created' ? `${kind}Created` : `${kind}Updated`,
    'Apply',
    `${outcome === 'created' ? 'Created' : 'Updated'} ${kind} ${name}`,
    ctx.signal,
  );
  return { outcome, object: applied };
}
