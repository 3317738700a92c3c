import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeClient } from '../../../operator/controller/kube-client.ts';
import type { KubeObject } from '../../../operator/controller/kube-types.ts';
import { LeaderElector } from '../../../operator/controller/leader-election.ts';

/** One Lease with resourceVersion checks, like the API server's optimistic concurrency. */
function leaseStore() {
  let lease: KubeObject | undefined;
  let rv = 0;
  const client = {
    get: async () => {
      if (!lease) throw new KubeApiError(404, 'NotFound', 'not found');
      return structuredClone(lease);
    },
    create: async (_path: string, body: KubeObject) => {
      if (lease) throw new KubeApiError(409, 'AlreadyExists', 'exists');
      rv += 1;
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(rv) } };
      return structuredClone(lease);
    },
    replace: async (_path: string, body: KubeObject) => {
      if (body.metadata?.resourceVersion !== lease?.metadata?.resourceVersion) {
        throw new KubeApiError(409, 'Conflict', 'conflict');
      }
      rv += 1;
      lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(rv) } };
      return structuredClone(lease);
    },
  } as unknown as KubeClient;
  return {
    client,
    holder: () => (lease?.spec as { holderIdentity?: string | null } | undefined)?.holderIdentity,
  };
}

const timing = {
  namespace: 'ns',
  name: 'lease',
  leaseDurationMs: 1000,
  renewDeadlineMs: 600,
  retryPeriodMs: 50,
};
const logger = pino({ level: 'silent' });

describe('LeaderElector', () => {
  it('lets exactly one of two candidates lead, and hands over at once on release', async () => {
    const store = leaseStore();
    const a = new LeaderElector(store.client, { ...timing, identity: 'a' }, logger);
    const b = new LeaderElector(store.client, { ...timing, identity: 'b' }, logger);
    const stopA = new AbortController();
    const stopB = new AbortController();
    expect(await a.acquire(stopA.signal)).toBe(true);
    const holdA = a.holdUntil(stopA.signal);
    let bLeads = false;
    const bAcquired = b.acquire(stopB.signal).then((won) => {
      bLeads = won;
    });
    await new Promise((r) => setTimeout(r, 1500)); // longer than the lease: a keeps renewing it
    expect(bLeads).toBe(false);
    expect(store.holder()).toBe('a');
    stopA.abort();
    expect(await holdA).toBe(true);
    const released = Date.now();
    await a.release();
    await bAcquired;
    expect(bLeads).toBe(true);
    expect(Date.now() - released).toBeLessThan(500); // no waiting for expiry
    expect(store.holder()).toBe('b');
    stopB.abort();
  });

  it('takes over a lease whose holder stopped renewing, after one lease duration', async () => {
    const store = leaseStore();
    const a = new LeaderElector(store.client, { ...timing, identity: 'a' }, logger);
    const b = new LeaderElector(store.client, { ...timing, identity: 'b' }, logger);
    expect(await a.acquire(new AbortController().signal)).toBe(true); // then "crashes": no renewals
    const started = Date.now();
    expect(await b.acquire(AbortSignal.timeout(5000))).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(store.holder()).toBe('b');
  });
});
