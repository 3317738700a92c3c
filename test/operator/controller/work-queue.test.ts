import { describe, expect, it } from 'vitest';
import { runWorkers, WorkQueue } from '../../../operator/controller/work-queue.ts';

const options = { baseDelayMs: 10, maxDelayMs: 80 };

describe('WorkQueue', () => {
  it('hands out a key added many times once', async () => {
    const q = new WorkQueue(options);
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('ns/a');
    expect(await q.get()).toBe('ns/b');
    expect(q.depth).toBe(0);
  });

  it('never gives a key to two workers; a change during processing queues it again after done', async () => {
    const q = new WorkQueue(options);
    q.add('ns/a');
    const first = await q.get();
    q.add('ns/a'); // changed while being processed
    expect(q.depth).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((k) => {
      second = k;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBeUndefined();
    q.done(first ?? '');
    await waiting;
    expect(second).toBe('ns/a');
  });

  it('backs off exponentially per key, up to the cap, and forgets after success', () => {
    const q = new WorkQueue(options);
    const delays = [1, 2, 3, 4, 5].map(() => q.addRateLimited('ns/a'));
    expect(delays).toEqual([10, 20, 40, 80, 80]);
    q.forget('ns/a');
    expect(q.addRateLimited('ns/a')).toBe(10);
    q.shutDown();
  });

  it('delivers a delayed key after its delay, not before', async () => {
    const q = new WorkQueue(options);
    const started = Date.now();
    q.addAfter('ns/a', 40);
    expect(q.depth).toBe(0);
    expect(await q.get()).toBe('ns/a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('shutDown releases waiting workers', async () => {
    const q = new WorkQueue(options);
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
  });
});

describe('runWorkers', () => {
  it('processes keys concurrently but one at a time per key, and retries failures', async () => {
    const q = new WorkQueue(options);
    const active = new Set<string>();
    let overlap = false;
    const calls: string[] = [];
    let failedOnce = false;
    const stop = new AbortController();
    const errors: string[] = [];
    const running = runWorkers(
      q,
      4,
      async (key) => {
        if (active.has(key)) overlap = true;
        active.add(key);
        calls.push(key);
        await new Promise((r) => setTimeout(r, 5));
        if (key === 'ns/a' && !failedOnce) q.add('ns/a'); // the object changed mid-reconcile
        active.delete(key);
        if (key === 'ns/b' && !failedOnce) {
          failedOnce = true;
          throw new Error('boom');
        }
      },
      (key) => errors.push(key),
      stop.signal,
    );
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/c');
    await new Promise((r) => setTimeout(r, 120));
    stop.abort();
    await running;
    expect(overlap).toBe(false);
    expect(errors).toEqual(['ns/b']);
    expect(calls.filter((k) => k === 'ns/b')).toHaveLength(2); // retried after backoff
    expect(calls.filter((k) => k === 'ns/c')).toHaveLength(1);
    expect(calls.filter((k) => k === 'ns/a').length).toBeGreaterThanOrEqual(2);
  });
});
