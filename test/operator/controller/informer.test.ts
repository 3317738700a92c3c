import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Informer } from '../../../operator/controller/informer.ts';
import type { KubeClient } from '../../../operator/controller/kube-client.ts';
import type { KubeObject, WatchEvent } from '../../../operator/controller/kube-types.ts';

const obj = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});

type WatchStep = (onEvent: (e: WatchEvent<KubeObject>) => void) => Promise<void>;

/** A scripted API: successive list() answers and watch() sessions; records the resourceVersions asked for. */
function scripted(lists: KubeObject[][], watches: WatchStep[]) {
  const watchedFrom: string[] = [];
  let listCalls = 0;
  const client = {
    list: async () => {
      const items = lists[Math.min(listCalls, lists.length - 1)] ?? [];
      listCalls += 1;
      return { metadata: { resourceVersion: `list-${listCalls}` }, items };
    },
    watch: async (
      _path: string,
      query: Record<string, unknown>,
      onEvent: (e: WatchEvent<KubeObject>) => void,
      signal: AbortSignal,
    ) => {
      watchedFrom.push(String(query.resourceVersion));
      const step = watches.shift();
      if (step) return step(onEvent);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
  } as unknown as KubeClient;
  return { client, watchedFrom, lists: () => listCalls };
}

async function settle(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('Informer', () => {
  it('resumes a broken watch from the last resourceVersion it saw, without relisting', async () => {
    const api = scripted(
      [[obj('a', '1')]],
      [
        async (on) => {
          on({ type: 'MODIFIED', object: obj('a', '5') });
          throw new Error('connection reset'); // API server restart
        },
      ],
    );
    const stop = new AbortController();
    const informer = new Informer<KubeObject>({
      client: api.client,
      path: '/x',
      logger: pino({ level: 'silent' }),
    });
    const seen: string[] = [];
    informer.addHandlers({
      onUpsert: (o) => seen.push(`${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    });
    informer.start(stop.signal);
    await settle(() => api.watchedFrom.length >= 2);
    stop.abort();
    await informer.stopped();
    expect(api.watchedFrom).toEqual(['list-1', '5']);
    expect(api.lists()).toBe(1);
    expect(seen).toEqual(['a@1', 'a@5']);
  });

  it('relists after 410 Gone and turns the difference into update and delete events', async () => {
    const api = scripted(
      [
        [obj('a', '1'), obj('b', '1')],
        [obj('a', '7'), obj('c', '7')],
      ],
      [
        async (on) => {
          on({ type: 'ERROR', object: { code: 410 } as unknown as KubeObject });
        },
      ],
    );
    const stop = new AbortController();
    const informer = new Informer<KubeObject>({
      client: api.client,
      path: '/x',
      logger: pino({ level: 'silent' }),
    });
    const events: string[] = [];
    informer.addHandlers({
      onUpsert: (o, old) => events.push(`${old ? 'update' : 'add'} ${o.metadata?.name}`),
      onDelete: (o) => events.push(`delete ${o.metadata?.name}`),
    });
    informer.start(stop.signal);
    await settle(() => api.lists() >= 2 && api.watchedFrom.length >= 2);
    stop.abort();
    await informer.stopped();
    expect(events).toEqual(['add a', 'add b', 'delete b', 'update a', 'add c']);
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['a', 'c']);
    expect(api.watchedFrom).toEqual(['list-1', 'list-2']);
  });
});
