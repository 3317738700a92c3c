import { setTimeout as sleep } from 'node:timers/promises';
import type { ComponentName, HealthProbe } from './components.ts';
import { probeOnce } from './probe.ts';
import { isAlive, logTail } from './processes.ts';
import type { ClusterState } from './state.ts';

/** Polls `check` every `intervalMs` until it resolves true; rejects when `signal` aborts. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  signal: AbortSignal,
  intervalMs = 200,
): Promise<void> {
  for (;;) {
    if (signal.aborted) throw new Error(`timed out waiting for ${what}`, { cause: signal.reason });
    if (await check()) return;
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
}

/** Waits until the component's health URL answers 200; fails fast, with its log, if the process exits. */
export async function waitHealthy(
  name: ComponentName,
  pid: number,
  probe: HealthProbe,
  state: ClusterState,
  signal: AbortSignal,
): Promise<void> {
  const creds = { caCert: state.caCert, admin: state.admin };
  await waitFor(
    `${name} at ${probe.url}`,
    async () => {
      if (!isAlive(pid)) {
        const log = state.components[name]?.log ?? '';
        throw new Error(`${name} (pid ${pid}) exited during start:\n${logTail(log, 1_500)}`);
      }
      return (await probeOnce(probe, creds)) === 200;
    },
    signal,
  );
}
