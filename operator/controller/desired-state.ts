// The production DesiredState: the same pure functions `ovfleet plan` and `ovfleet render` call.
import { parseInferenceService } from '../api/resource.ts';
import { LABEL_MANAGED_BY, MANAGER, planHash, renderList, selectorString } from '../render/index.ts';
import { plan } from '../sizing/index.ts';
import type { KubeObject } from './kube-types.ts';
import type { DesiredState } from './reconcile.ts';

export const desiredState: DesiredState = {
  parse: parseInferenceService,
  plan,
  planHash,
  render: (isvc, p) => renderList(isvc, p) as unknown as KubeObject[],
  selector: selectorString,
};

/** Every rendered child carries this label; the controller's child informers watch only these. */
export const CHILD_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGER}`;
