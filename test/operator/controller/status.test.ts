import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../operator/controller/kube-types.ts';
import { buildStatus, statusChanged } from '../../../operator/controller/status.ts';

function dep(ready: number, desired = 4, generation = 2, observed = 2): Deployment {
  return {
    metadata: { generation },
    spec: { replicas: desired },
    status: {
      observedGeneration: observed,
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const none = { kind: 'none' } as const;

describe('status', () => {
  it('is Ready only when every desired replica is ready on the current Deployment generation', () => {
    const ready = (d: Deployment) =>
      buildStatus({ generation: 1, blocker: none, deployment: d }, undefined, t0).conditions?.find(
        (c) => c.type === 'Ready',
      )?.status;
    expect(ready(dep(4))).toBe('True');
    expect(ready(dep(3))).toBe('False');
    expect(ready(dep(4, 4, 3, 2))).toBe('False'); // the Deployment controller has not seen the new spec yet
  });

  it('keeps lastTransitionTime of conditions whose status did not change, and reports no change', () => {
    const first = buildStatus({ generation: 1, blocker: none, deployment: dep(4) }, undefined, t0);
    const again = buildStatus({ generation: 1, blocker: none, deployment: dep(4) }, first, t1);
    expect(again.conditions?.map((c) => c.lastTransitionTime)).toEqual(
      first.conditions?.map((c) => c.lastTransitionTime),
    );
    expect(statusChanged(first, again)).toBe(false);
  });

  it('moves lastTransitionTime when a condition flips, and reports a change', () => {
    const first = buildStatus({ generation: 1, blocker: none, deployment: dep(4) }, undefined, t0);
    const next = buildStatus({ generation: 1, blocker: none, deployment: dep(2) }, first, t1);
    const ready = next.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', lastTransitionTime: '2026-01-01T00:05:00Z' });
    expect(statusChanged(first, next)).toBe(true);
    expect(next.readyReplicas).toBe(2);
  });

  it('a new generation is a change even when the conditions read the same', () => {
    const first = buildStatus({ generation: 1, blocker: none, deployment: dep(4) }, undefined, t0);
    const next = buildStatus({ generation: 2, blocker: none, deployment: dep(4) }, first, t1);
    expect(statusChanged(first, next)).toBe(true);
  });
});
