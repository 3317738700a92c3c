// An in-memory stand-in for the few KubeClient calls reconcile makes (apply, create), recording every
// write so tests can count them. apply() merges like server-side apply does for our own fields: the
// applied object replaces the previous one, server-owned fields (uid, status) are kept.
import type { KubeClient } from '../../../operator/controller/kube-client.ts';
import type { KubeObject } from '../../../operator/controller/kube-types.ts';

export interface Write {
  verb: 'apply' | 'create';
  path: string;
  body: KubeObject;
}

export class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: Write[] = [];
  #uid = 0;

  get client(): KubeClient {
    return {
      apply: async (path: string, body: KubeObject) => this.#apply(path, body),
      create: async (path: string, body: KubeObject) => {
        this.writes.push({ verb: 'create', path, body });
        return body;
      },
    } as unknown as KubeClient;
  }

  /** Objects stored under a path prefix. */
  at(path: string): KubeObject | undefined {
    return this.objects.get(path);
  }

  events(): KubeObject[] {
    return this.writes.filter((w) => w.verb === 'create' && w.path.includes('/events')).map((w) => w.body);
  }

  #apply(path: string, body: KubeObject): KubeObject {
    this.writes.push({ verb: 'apply', path, body: structuredClone(body) });
    if (path.endsWith('/status')) {
      const target = path.slice(0, -'/status'.length);
      const current = this.objects.get(target) ?? {};
      const next = { ...current, status: structuredClone(body.status) };
      this.objects.set(target, next);
      return next;
    }
    const current = this.objects.get(path);
    this.#uid += 1;
    const next: KubeObject = {
      ...structuredClone(body),
      metadata: {
        ...structuredClone(body.metadata),
        uid: current?.metadata?.uid ?? `uid-${this.#uid}`,
        generation: (current?.metadata?.generation ?? 0) + 1,
      },
    };
    if (current?.status !== undefined) next.status = current.status;
    this.objects.set(path, next);
    return next;
  }
}
