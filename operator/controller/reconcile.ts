// One reconcile of one InferenceService, in the shape of CONVENTIONS 1:
//   fetch (gone → done) → validate → node facts → plan → render → apply each child → status once.
// Reads come from the informer caches; writes happen only when something differs, so reconciling an
// unchanged object twice sends nothing to the API server.
import type { Logger } from 'pino';
import type { InferenceService } from '../api/resource.ts';
import { toSizingInput } from '../api/sizing-input.ts';
import type { InferenceServiceStatus } from '../api/status.ts';
import { summarizePlan } from '../api/status.ts';
import { OperatorError } from '../errors.ts';
import type { Plan, SizingInput } from '../sizing/types.ts';
import { type ApplyContext, applyChild, type ChildKind } from './apply.ts';
import { reasonOf } from './conditions.ts';
import type { EventRecorder, EventTarget } from './events.ts';
import type { KubeClient } from './kube-client.ts';
import { type Deployment, type KubeObject, type Node, splitKey } from './kube-types.ts';
import type { ReconcileResult } from './metrics.ts';
import { nodeFactsFor } from './node-facts.ts';
import { stageDeployment } from './rollout.ts';
import { type Blocker, buildStatus, type StatusInput, statusChanged } from './status.ts';

/** The pure functions reconcile is made of; the CLI's plan/render call the very same ones. */
export interface DesiredState {
  parse: (object: unknown) => InferenceService;
  plan: (input: SizingInput) => Plan;
  planHash: (plan: Plan) => string;
  render: (isvc: InferenceService, plan: Plan) => readonly KubeObject[];
  selector: (isvc: InferenceService) => string;
}

export interface ReconcilerDeps {
  client: KubeClient;
  events: EventRecorder;
  desired: DesiredState;
  inferenceService: (key: string) => KubeObject | undefined;
  child: (kind: ChildKind, namespace: string, name: string) => KubeObject | undefined;
  nodes: () => readonly Node[];
  logger: Logger;
  now?: () => Date;
}

export const ISVC_API_PATH = '/apis/ovfleet.io/v1alpha1';

export function isvcPath(namespace: string | undefined, name?: string): string {
  const base = namespace
    ? `${ISVC_API_PATH}/namespaces/${namespace}/inferenceservices`
    : `${ISVC_API_PATH}/inferenceservices`;
  return name === undefined ? base : `${base}/${name}`;
}

function servicePort(service: KubeObject | undefined, names: readonly string[], fallback: number): number {
  const ports = (service?.spec as { ports?: { name?: string; port?: number }[] } | undefined)?.ports ?? [];
  return ports.find((p) => p.name !== undefined && names.includes(p.name))?.port ?? fallback;
}

function planText(plan: Plan, nodes: number): string {
  const { instancesPerNode, nodesNeeded } = plan.packing;
  return `${plan.replicas} × ${plan.vcpusPerInstance} vCPU (${instancesPerNode} per node) on ${nodesNeeded} of ${nodes} node(s)`;
}

export async function reconcile(
  key: string,
  deps: ReconcilerDeps,
  signal: AbortSignal,
): Promise<ReconcileResult> {
  // 1. fetch
  const object = deps.inferenceService(key);
  if (object === undefined || object.metadata?.deletionTimestamp) return 'not_found';
  const { namespace, name } = splitKey(key);
  const log = deps.logger.child({ namespace, name });
  const owner: EventTarget = {
    apiVersion: object.apiVersion ?? 'ovfleet.io/v1alpha1',
    kind: object.kind ?? 'InferenceService',
    name,
    namespace,
    uid: object.metadata?.uid ?? '',
  };
  const previous = object.status as InferenceServiceStatus | undefined;
  const generation = object.metadata?.generation ?? 0;
  const writeStatus = async (
    input: StatusInput,
    warning?: { reason: string; message: string },
  ): Promise<void> => {
    const status = buildStatus(input, previous, deps.now?.() ?? new Date());
    if (!statusChanged(previous, status)) return;
    await deps.client.apply(
      `${isvcPath(namespace, name)}/status`,
      { apiVersion: owner.apiVersion, kind: owner.kind, metadata: { name, namespace }, status },
      signal,
    );
    log.info(
      { conditions: status.conditions?.map((x) => `${x.type}=${x.status}`).join(',') },
      'status updated',
    );
    if (warning)
      await deps.events.record(owner, 'Warning', warning.reason, 'Reconcile', warning.message, signal);
  };
  const deployment = () => deps.child('Deployment', namespace, name) as Deployment | undefined;

  // 2. validate
  let isvc: InferenceService;
  try {
    isvc = deps.desired.parse(object);
  } catch (error: unknown) {
    if (!(error instanceof OperatorError) || error.code !== 'OVF_ERR_SPEC_INVALID') throw error;
    const message = error.message.split('\n').join('; ');
    log.warn({ problems: message }, 'invalid InferenceService');
    const live = deployment();
    await writeStatus(
      { generation, blocker: { kind: 'invalid-spec', message }, ...(live ? { deployment: live } : {}) },
      { reason: 'InvalidSpec', message },
    );
    return 'invalid';
  }
  const spec = isvc.spec;
  const selector = deps.desired.selector(isvc);

  // 3. node facts
  const facts = nodeFactsFor(deps.nodes(), spec.device, spec.node.threadsPerCore);
  if (facts === undefined) {
    const message =
      spec.device === 'HDDL'
        ? 'no schedulable node advertises VPUs (ovfleet.io/vpu); nothing created'
        : 'no schedulable node; nothing created';
    const live = deployment();
    await writeStatus(
      { generation, blocker: { kind: 'no-nodes', message }, selector, ...(live ? { deployment: live } : {}) },
      { reason: 'NoSchedulableNodes', message },
    );
    return 'success';
  }

  // 4. plan
  const plan = deps.desired.plan(toSizingInput(spec, facts.facts));
  const summary = summarizePlan(plan, deps.desired.planHash(plan));
  const text = planText(plan, facts.facts.count);
  if (!plan.fits) {
    const first = plan.violations[0];
    const message = `${plan.violations.map((v) => v.message).join('; ')} (nodes: ${facts.nodes.join(', ')}, ${facts.facts.vcpus} vCPU / ${facts.facts.vpus} VPU at most per node); nothing created`;
    const blocker: Blocker = {
      kind: 'plan-unfit',
      reason: reasonOf(first?.rule ?? 'PlanDoesNotFit'),
      message,
    };
    const live = deployment();
    await writeStatus(
      { generation, blocker, plan: summary, selector, ...(live ? { deployment: live } : {}) },
      { reason: 'PlanDoesNotFit', message },
    );
    return 'success';
  }

  // 5. render and apply each child
  const ctx: ApplyContext = {
    client: deps.client,
    owner,
    events: deps.events,
    live: deps.child,
    logger: log,
    signal,
  };
  let blocker: Blocker = { kind: 'none' };
  let live: Deployment | undefined;
  let service: KubeObject | undefined;
  let holding: StatusInput['holding'];
  const children = deps.desired.render(isvc, plan).map((rendered) => {
    if (rendered.kind !== 'Deployment') return rendered;
    const staged = stageDeployment(rendered, deployment());
    holding = staged.holding;
    return staged.deployment;
  });
  // The children are independent of each other: apply them side by side.
  const results = await Promise.allSettled(children.map((child) => applyChild(ctx, child)));
  for (const [i, result] of results.entries()) {
    const kind = children[i]?.kind;
    if (result.status === 'fulfilled') {
      if (kind === 'Deployment') live = result.value.object as Deployment;
      if (kind === 'Service') service = result.value.object;
      continue;
    }
    const error: unknown = result.reason;
    if (!(error instanceof OperatorError) || error.code !== 'OVF_ERR_CONTROLLER_CHILD_NOT_OWNED') throw error;
    blocker = { kind: 'not-owned', message: error.message };
  }

  // 6. status, once
  const host = `${service?.metadata?.name ?? name}.${namespace}.svc`;
  await writeStatus({
    generation,
    blocker,
    plan: summary,
    planText: text,
    selector,
    endpoints: {
      grpc: `${host}:${servicePort(service, ['grpc'], spec.server.grpcPort)}`,
      rest: `http://${host}:${servicePort(service, ['rest', 'http'], spec.server.restPort)}`,
    },
    ...(live ? { deployment: live } : {}),
    ...(holding ? { holding } : {}),
  });
  return 'success';
}
