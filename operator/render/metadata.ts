// Names, labels, selectors and owner references shared by every object rendered for one
// InferenceService.
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import type { InferenceService } from '../api/resource.ts';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
/** Pod-template annotation holding the plan hash; a new plan changes it and rolls the pods. */
export const PLAN_HASH_ANNOTATION = 'ovfleet.io/plan-hash';
export const SERVER_APP_NAME = 'ovfleet-server';
export const MANAGER = 'ovfleet';

/** The labels that select an InferenceService's pods (immutable in a Deployment: keep them few). */
export function selectorLabels(isvc: InferenceService): Record<string, string> {
  return { [LABEL_NAME]: SERVER_APP_NAME, [LABEL_INSTANCE]: isvc.metadata.name };
}

/** The pod selector as a string, what status.selector carries for the scale subresource. */
export function selectorString(isvc: InferenceService): string {
  return Object.entries(selectorLabels(isvc))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function commonLabels(isvc: InferenceService): Record<string, string> {
  return {
    ...selectorLabels(isvc),
    [LABEL_COMPONENT]: 'model-server',
    [LABEL_MANAGED_BY]: MANAGER,
    [LABEL_PART_OF]: 'ovfleet',
  };
}

/**
 * The owner reference to the InferenceService. Only an object read from the API server has a uid;
 * without one (`ovfleet render` of a file) no owner reference is rendered, since the API server
 * rejects one without a uid.
 */
export function ownerReferences(isvc: InferenceService): V1OwnerReference[] | undefined {
  const uid = isvc.metadata.uid;
  if (uid === undefined || uid === '') return undefined;
  return [
    {
      apiVersion: isvc.apiVersion,
      kind: isvc.kind,
      name: isvc.metadata.name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

/** Metadata of a child object named after the InferenceService, in its namespace. */
export function childMetadata(isvc: InferenceService): V1ObjectMeta {
  const meta: V1ObjectMeta = { name: isvc.metadata.name };
  if (isvc.metadata.namespace !== undefined) meta.namespace = isvc.metadata.namespace;
  meta.labels = commonLabels(isvc);
  const owners = ownerReferences(isvc);
  if (owners !== undefined) meta.ownerReferences = owners;
  return meta;
}
