// `ovfleet run`: the controller process. Informers start at once (a standby keeps warm caches and is
// Ready); with --leader-elect only the Lease holder runs workers. SIGTERM/SIGINT stop it cleanly:
// no new reconciles, in-flight ones get a grace period to finish their writes, the Lease is
// released so a standby takes over at once, then the watches and the HTTP server close.
import { KubeConfig } from '@kubernetes/client-node';
import { type Logger, pino } from 'pino';
import { OperatorError } from '../errors.ts';
import { Controller } from './controller.ts';
import { CHILD_SELECTOR, makeDesiredState } from './desired-state.ts';
import { EventRecorder } from './events.ts';
import { startHealthServer } from './health-server.ts';
import { KubeClient } from './kube-client.ts';
import { LeaderElector } from './leader-election.ts';
import { ControllerMetrics } from './metrics.ts';
import { type ControllerOptionsInput, parseControllerOptions } from './options.ts';
import type { DesiredState } from './reconcile.ts';

export type { ControllerOptionsInput } from './options.ts';

export interface RunHooks {
  /** Stops the controller when aborted (in addition to SIGTERM/SIGINT). */
  signal?: AbortSignal;
  logger?: Logger;
  /** Replaces the production plan/render functions (tests). */
  desired?: DesiredState;
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
  /** Called once the metrics server listens, with its port. */
  onListening?: (port: number) => void;
}

const SHUTDOWN_GRACE_MS = 10_000;

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

/** Runs the controller until stopped; rejects with OVF_ERR_CONTROLLER_LEADERSHIP_LOST if the Lease was lost. */
export async function runController(input: ControllerOptionsInput, hooks: RunHooks = {}): Promise<void> {
  const opts = parseControllerOptions(input);
  const logger = hooks.logger ?? pino({ level: opts.logLevel, base: { component: 'ovfleet-operator' } });
  const metrics = new ControllerMetrics();
  const client = new KubeClient(loadKubeConfig(opts.kubeconfig), (verb, resource) =>
    metrics.apiWrites.inc({ verb, resource }),
  );
  const controller = new Controller({
    client,
    events: new EventRecorder(client, opts.identity, logger),
    desired: hooks.desired ?? makeDesiredState({ serverImage: opts.serverImage }),
    metrics,
    logger,
    namespace: opts.namespace,
    childSelector: CHILD_SELECTOR,
    resyncMs: opts.resyncSeconds * 1000,
    workers: opts.workers,
  });

  const stop = new AbortController();
  const lost = new AbortController();
  const informers = new AbortController();
  const reconciles = new AbortController();
  const onSignal = (name: string) => (): void => {
    logger.info({ signal: name }, 'stopping');
    stop.abort();
  };
  const handlers = [
    ['SIGTERM', onSignal('SIGTERM')],
    ['SIGINT', onSignal('SIGINT')],
  ] as const;
  if (hooks.handleSignals ?? true) for (const [name, fn] of handlers) process.on(name, fn);
  hooks.signal?.addEventListener('abort', () => stop.abort(), { once: true });

  logger.info(
    { namespace: opts.namespace ?? '(all)', leaderElect: opts.leaderElect, identity: opts.identity },
    'ovfleet operator starting',
  );
  const probes = { healthy: () => !stop.signal.aborted, ready: () => controller.synced };
  const ports = [...new Set([opts.metricsPort, opts.healthPort])];
  const servers = await Promise.all(
    ports.map((port) => startHealthServer(`${opts.bindAddress}:${port}`, metrics.registry, probes, logger)),
  );
  hooks.onListening?.(servers[0]?.port ?? 0);
  controller.startInformers(informers.signal);

  const elector = opts.leaderElect
    ? new LeaderElector(
        client,
        {
          namespace: opts.leaseNamespace,
          name: opts.leaseName,
          identity: opts.identity,
          leaseDurationMs: opts.leaseDurationSeconds * 1000,
          renewDeadlineMs: opts.renewDeadlineSeconds * 1000,
          retryPeriodMs: opts.retryPeriodSeconds * 1000,
        },
        logger,
      )
    : undefined;
  let leadershipLost = false;
  let grace: NodeJS.Timeout | undefined;
  try {
    const leading = elector ? await elector.acquire(stop.signal) : true;
    if (leading) {
      metrics.isLeader.set(1);
      const hold = elector?.holdUntil(stop.signal).then((kept) => {
        if (!kept) {
          leadershipLost = true;
          metrics.isLeader.set(0);
          lost.abort();
        }
      });
      await controller.waitForSync(AbortSignal.any([stop.signal, lost.signal]));
      logger.info('caches synced; reconciling');
      const working = AbortSignal.any([stop.signal, lost.signal]);
      working.addEventListener(
        'abort',
        () => {
          grace = setTimeout(() => reconciles.abort(), leadershipLost ? 0 : SHUTDOWN_GRACE_MS);
        },
        { once: true },
      );
      await controller.run(working, reconciles.signal);
      stop.abort();
      await hold;
    }
  } finally {
    clearTimeout(grace);
    metrics.isLeader.set(0);
    if (!leadershipLost) await elector?.release();
    informers.abort();
    await controller.informersStopped();
    await Promise.all(servers.map((server) => server.close()));
    for (const [name, fn] of handlers) process.off(name, fn);
    logger.info('ovfleet operator stopped');
  }
  if (leadershipLost) {
    throw new OperatorError(
      'OVF_ERR_CONTROLLER_LEADERSHIP_LOST',
      'lost the leader Lease; exiting so a fresh process can compete again',
    );
  }
}
