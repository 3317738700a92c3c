// Lease-based leader election (coordination.k8s.io/v1), the way client-go does it: a candidate takes
// the Lease when it is free or its holder has not renewed it for a whole lease duration as observed
// by this process's own clock (no clock comparison across machines); updates are guarded by
// resourceVersion, so two candidates can never both win. The leader renews every retry period and
// gives up if it cannot renew within the renew deadline. Releasing on shutdown empties the holder so
// a standby takes over at once.
import type { Logger } from 'pino';
import { sleep } from './informer.ts';
import { isConflict, isNotFound, type KubeClient } from './kube-client.ts';
import type { KubeObject } from './kube-types.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  readonly #client: KubeClient;
  readonly #options: LeaderElectionOptions;
  readonly #log: Logger;
  #observedRecord = '';
  #observedAt = 0;
  #leader = false;

  constructor(client: KubeClient, options: LeaderElectionOptions, logger: Logger) {
    this.#client = client;
    this.#options = options;
    this.#log = logger.child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  get #path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#options.namespace}/leases`;
  }

  /** Resolves once this process holds the lease; resolves false if the signal aborted first. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    this.#log.info('waiting to become leader');
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(signal)) {
        this.#leader = true;
        this.#log.info('became leader');
        return true;
      }
      await sleep(this.#options.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  /**
   * Renews the lease every retry period until the signal aborts (resolves true) or a renewal could
   * not be done within the renew deadline (resolves false: leadership lost).
   */
  async holdUntil(signal: AbortSignal): Promise<boolean> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.#options.retryPeriodMs, signal);
      if (signal.aborted) break;
      if (await this.#tryAcquireOrRenew(signal)) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew > this.#options.renewDeadlineMs) {
        this.#leader = false;
        this.#log.error('could not renew the lease within the renew deadline; leadership lost');
        return false;
      }
    }
    return true;
  }

  /** Gives the lease up so a standby can take over without waiting for it to expire. */
  async release(): Promise<void> {
    if (!this.#leader) return;
    this.#leader = false;
    try {
      const lease = await this.#client.get<Lease>(`${this.#path}/${this.#options.name}`);
      if (lease.spec?.holderIdentity !== this.#options.identity) return;
      await this.#client.replace(`${this.#path}/${this.#options.name}`, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: null,
          acquireTime: null,
          renewTime: microTime(),
          leaseDurationSeconds: 1,
        },
      });
      this.#log.info('released the lease');
    } catch (error: unknown) {
      this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'lease release failed');
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { name, identity, leaseDurationMs } = this.#options;
    const now = new Date();
    const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
    try {
      let lease: Lease;
      try {
        lease = await this.#client.get<Lease>(`${this.#path}/${name}`, signal);
      } catch (error: unknown) {
        if (!isNotFound(error)) throw error;
        await this.#client.create(
          this.#path,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace: this.#options.namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
          signal,
        );
        return true;
      }
      const spec = lease.spec ?? {};
      const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}`;
      if (record !== this.#observedRecord) {
        this.#observedRecord = record;
        this.#observedAt = Date.now();
      }
      const holder = spec.holderIdentity ?? '';
      const heldByUs = holder === identity;
      const expired =
        Date.now() - this.#observedAt > (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
      if (holder !== '' && !heldByUs && !expired) return false;
      const updated = await this.#client.replace<Lease>(
        `${this.#path}/${name}`,
        {
          ...lease,
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: heldByUs ? (spec.acquireTime ?? microTime(now)) : microTime(now),
            renewTime: microTime(now),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (heldByUs ? 0 : 1),
          },
        },
        signal,
      );
      this.#observedRecord = `${identity}|${updated.spec?.renewTime ?? ''}`;
      this.#observedAt = Date.now();
      return true;
    } catch (error: unknown) {
      if (!signal.aborted && !isConflict(error)) {
        this.#log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'lease update failed',
        );
      }
      return false;
    }
  }
}
