import { describe, expect, it } from 'vitest';
import { HASH_ANNOTATION, isSubset, needsApply, withHash } from '../../../operator/controller/drift.ts';
import type { KubeObject } from '../../../operator/controller/kube-types.ts';

const desired = withHash({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'm', namespace: 'ns', labels: { a: '1' } },
  spec: {
    replicas: 20,
    template: {
      spec: {
        containers: [
          {
            name: 'server',
            args: ['--port', '9000'],
            env: [{ name: 'OMP_NUM_THREADS', value: '4' }],
            resources: { requests: { cpu: 4 }, limits: { cpu: 4 } },
          },
        ],
      },
    },
  },
});

interface LiveDeployment {
  metadata: { uid?: string; resourceVersion?: string };
  spec: {
    replicas: number;
    progressDeadlineSeconds?: number;
    template: {
      spec: {
        containers: {
          env: { name: string; value: string }[];
          imagePullPolicy?: string;
          resources: unknown;
        }[];
      };
    };
  };
  status?: unknown;
}

/** What the API server sends back: our fields plus defaults and fields of other managers. */
function live(edit: (o: LiveDeployment) => void = () => {}): KubeObject {
  const o = structuredClone(desired) as unknown as LiveDeployment;
  o.metadata.uid = 'u1';
  o.metadata.resourceVersion = '7';
  o.spec.progressDeadlineSeconds = 600;
  const c = o.spec.template.spec.containers[0]!;
  c.imagePullPolicy = 'IfNotPresent';
  c.resources = { requests: { cpu: '4' }, limits: { cpu: '4' } };
  o.status = { replicas: 20 };
  edit(o);
  return o as unknown as KubeObject;
}

describe('drift detection', () => {
  it('sees nothing to do when the live object only adds server defaults', () => {
    expect(needsApply(desired, live())).toBe(false);
  });

  it('applies when the object does not exist', () => {
    expect(needsApply(desired, undefined)).toBe(true);
  });

  it('reverts a manual replica change', () => {
    expect(
      needsApply(
        desired,
        live((o) => (o.spec.replicas = 3)),
      ),
    ).toBe(true);
  });

  it('reverts a manual edit of an env var we set', () => {
    expect(
      needsApply(
        desired,
        live((o) => (o.spec.template.spec.containers[0]!.env[0]!.value = '99')),
      ),
    ).toBe(true);
  });

  it('leaves alone an env var someone else added (apply would not remove it either)', () => {
    expect(
      needsApply(
        desired,
        live((o) => o.spec.template.spec.containers[0]!.env.unshift({ name: 'X', value: '1' })),
      ),
    ).toBe(false);
  });

  it('applies when our own desired state changed (hash annotation differs)', () => {
    const next = withHash({ ...desired, spec: { replicas: 10 } });
    expect(next.metadata?.annotations?.[HASH_ANNOTATION]).not.toBe(
      desired.metadata?.annotations?.[HASH_ANNOTATION],
    );
    expect(needsApply(next, live())).toBe(true);
  });

  it('compares resource quantities by value: the server stores 2048Mi as 2Gi', () => {
    expect(isSubset({ memory: '2048Mi', cpu: 4 }, { memory: '2Gi', cpu: '4' })).toBe(true);
    expect(isSubset({ cpu: '500m' }, { cpu: '0.5' })).toBe(true);
    expect(isSubset({ memory: '2048Mi' }, { memory: '3Gi' })).toBe(false);
  });

  it('treats a changed scalar list (args) as drift', () => {
    expect(isSubset({ args: ['--port', '9000'] }, { args: ['--port', '9001'] })).toBe(false);
    expect(isSubset({ args: ['--port', '9000'] }, { args: ['--port', '9000', '--x'] })).toBe(false);
  });
});
