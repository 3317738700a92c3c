// The production DesiredState: the same pure functions `ovfleet plan` and `ovfleet render` call.
import { type InferenceService, parseInferenceService } from '../api/resource.ts';
import { LABEL_MANAGED_BY, MANAGER, planHash, renderList, selectorString } from '../render/index.ts';
import { plan } from '../sizing/index.ts';
import type { KubeObject } from './kube-types.ts';
import type { DesiredState } from './reconcile.ts';

/**
 * The production DesiredState. `serverImage` (ovfleet run --server-image) is the image of ovfleet-runtime
 * instances whose spec names none; render's built-in default applies otherwise.
 */
export function makeDesiredState(options: { serverImage?: string | undefined } = {}): DesiredState {
  const { serverImage } = options;
  const withImage = (isvc: InferenceService): InferenceService =>
    serverImage === undefined || isvc.spec.runtime !== 'ovfleet' || isvc.spec.server.image !== undefined
      ? isvc
      : { ...isvc, spec: { ...isvc.spec, server: { ...isvc.spec.server, image: serverImage } } };
  return {
    parse: parseInferenceService,
    plan,
    planHash,
    render: (isvc, p) => renderList(withImage(isvc), p) as unknown as KubeObject[],
    selector: selectorString,
  };
}

export const desiredState: DesiredState = makeDesiredState();

/** Every rendered child carries this label; the controller's child informers watch only these. */
export const CHILD_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGER}`;
