// render: pure (InferenceService, Plan) → the Kubernetes objects that run it. Never mutates its
// inputs; the controller applies exactly what `ovfleet render` prints.
import type { V1Deployment, V1PodDisruptionBudget, V1Service } from '@kubernetes/client-node';
import type { InferenceService } from '../api/resource.ts';
import type { Plan } from '../sizing/types.ts';
import { childMetadata, selectorLabels } from './metadata.ts';
import { planHash } from './plan-hash.ts';
import { GRPC_PORT_NAME, podTemplate, REST_PORT_NAME } from './pod.ts';

export interface RenderedObjects {
  readonly deployment: V1Deployment;
  readonly service: V1Service;
  readonly podDisruptionBudget: V1PodDisruptionBudget;
}

function deployment(isvc: InferenceService, plan: Plan, hash: string): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(isvc),
    spec: {
      replicas: plan.replicas,
      selector: { matchLabels: selectorLabels(isvc) },
      // The budget is a hard cap: a rollout never runs more instances than planned (no surge),
      // replacing one instance at a time instead.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      revisionHistoryLimit: 3,
      template: podTemplate(isvc, plan, hash),
    },
  };
}

function service(isvc: InferenceService): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(isvc),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(isvc),
      ports: [
        {
          name: GRPC_PORT_NAME,
          port: isvc.spec.server.grpcPort,
          targetPort: GRPC_PORT_NAME,
          protocol: 'TCP',
          appProtocol: 'kubernetes.io/h2c',
        },
        {
          name: REST_PORT_NAME,
          port: isvc.spec.server.restPort,
          targetPort: REST_PORT_NAME,
          protocol: 'TCP',
          appProtocol: 'http',
        },
      ],
    },
  };
}

/**
 * maxUnavailable 1 rather than a computed minAvailable: a node drain may evict one instance at a
 * time whatever the replica count, matching the rollout; a single-instance (latency) fleet can still
 * be drained, where minAvailable 1 would block the drain forever.
 */
function podDisruptionBudget(isvc: InferenceService): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(isvc),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(isvc) } },
  };
}

export function render(isvc: InferenceService, plan: Plan): RenderedObjects {
  const hash = planHash(plan);
  return {
    deployment: deployment(isvc, plan, hash),
    service: service(isvc),
    podDisruptionBudget: podDisruptionBudget(isvc),
  };
}

/** The objects in apply order. */
export function renderList(
  isvc: InferenceService,
  plan: Plan,
): [V1Deployment, V1Service, V1PodDisruptionBudget] {
  const o = render(isvc, plan);
  return [o.deployment, o.service, o.podDisruptionBudget];
}
