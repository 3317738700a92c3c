// The model repository: what is served, and keeping it in step with the configuration and the disk.
//
// start() loads every configured model (any failure is a startup error). reload() — from the
// file-system poll or POST /v1/config/reload — re-reads the configuration (the config file, when
// there is one), rescans the base paths and applies the difference per model:
//   1. load the versions that are new (or all selected versions when the model's config changed);
//   2. switch the model's version map in one assignment, so get() sees old or new, never a mix;
//   3. unload what left: each old version waits for the requests that hold it, drains its pool and
//      releases the compiled model. No request is dropped.
// A reload that fails for a model keeps that model's current versions serving. Reloads run one at a
// time; a poll that finds one running skips its turn.
import type { Logger } from 'pino';
import type { ServerSettings } from '../config.ts';
import type { Engine } from '../engine/types.ts';
import { ServerError, toServerError } from '../errors.ts';
import type { VersionGauges } from '../metrics.ts';
import type { ReloadResult } from '../protocol/transport-options.ts';
import { loadModelConfigs, type ModelConfig } from './model-config.ts';
import { noVersionMetrics, type ServedVersion, type VersionMetricsSink } from './served-version.ts';
import type { ModelRegistry, ServedModel } from './types.ts';
import { loadVersion, type PoolFactory } from './version-loader.ts';
import { describePolicy, selectVersions } from './version-policy.ts';
import { scanVersions } from './version-scan.ts';

export interface RepositoryOptions {
  readonly engine: Engine;
  readonly settings: ServerSettings;
  readonly logger: Logger;
  readonly createPool: PoolFactory;
  readonly metrics?: VersionMetricsSink;
  /** Called after every switch (versions loaded or unloaded) and when the repository stops accepting. */
  readonly onChange?: () => void;
  /**
   * How long a replaced version lingers after its last request before it is released, for requests
   * that looked it up but had not started inference yet (default 1000 ms; 0 in unit tests).
   */
  readonly unloadGraceMs?: number;
}

interface ModelEntry {
  readonly config: ModelConfig;
  readonly fingerprint: string;
  /** Replaced as a whole on every change (the atomic switch). */
  versions: ReadonlyMap<number, ServedVersion>;
}

const fingerprintOf = (config: ModelConfig): string => JSON.stringify(config);

export class ModelRepository implements ModelRegistry {
  #options: RepositoryOptions;
  #logger: Logger;
  #models = new Map<string, ModelEntry>();
  #running: Promise<ReloadResult> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Errors the last reload reported, so a poll repeats none of them in the log every second. */
  #reported = new Set<string>();

  constructor(options: RepositoryOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'repository' });
  }

  /** Loads the configured models; throws a ServerError on the first model that cannot be served. */
  async start(signal?: AbortSignal): Promise<void> {
    const configs = await loadModelConfigs(this.#options.settings, signal);
    for (const config of configs) {
      signal?.throwIfAborted();
      const versions = await this.#loadModel(config, new Map(), []);
      if (versions.size === 0) {
        throw new ServerError(
          'OVF_ERR_MODEL_NOT_FOUND',
          `model ${config.name}: no model files under ${config.basePath} for version policy ${describePolicy(config.versionPolicy)}`,
        );
      }
      this.#models.set(config.name, { config, fingerprint: fingerprintOf(config), versions });
    }
  }

  /** Polls every `seconds` (0 = never) for new or removed versions and config-file changes. */
  watch(seconds: number): void {
    if (seconds <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#running !== undefined || this.#closed) return;
      void this.reload('poll');
    }, seconds * 1000);
    this.#timer.unref();
  }

  /** Applies the current configuration and disk state; concurrent callers share one run. */
  reload(reason: 'poll' | 'request' = 'request'): Promise<ReloadResult> {
    if (this.#running !== undefined) {
      // A request always gets a fresh look at the disk: chain after the running one.
      if (reason === 'poll') return this.#running;
      return this.#running.then(() => this.reload(reason));
    }
    const run = this.#reload(reason).finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #reload(reason: 'poll' | 'request'): Promise<ReloadResult> {
    if (this.#closed) return { ok: false, message: 'server is shutting down' };
    let configs: ModelConfig[];
    try {
      configs = await loadModelConfigs(this.#options.settings);
    } catch (error: unknown) {
      const message = toServerError(error).message;
      if (this.#shouldReport(reason, [message])) {
        this.#logger.error(
          { err: error, reason },
          'reload: configuration rejected, keeping the current models',
        );
      }
      return { ok: false, message };
    }
    const changes: string[] = [];
    const errors: string[] = [];
    const wanted = new Set(configs.map((c) => c.name));
    for (const [name, entry] of this.#models) {
      if (wanted.has(name)) continue;
      this.#models.delete(name);
      this.#options.onChange?.();
      await this.#unloadAll(entry.versions, undefined, changes);
    }
    for (const config of configs) {
      const entry = this.#models.get(config.name);
      const fingerprint = fingerprintOf(config);
      const sameConfig = entry?.fingerprint === fingerprint;
      const current = sameConfig && entry ? entry.versions : new Map<number, ServedVersion>();
      let next: Map<number, ServedVersion>;
      try {
        next = await this.#loadModel(config, current, changes);
      } catch (error: unknown) {
        const message = `${config.name}: ${toServerError(error).message}`;
        errors.push(message);
        if (reason === 'request' || !this.#reported.has(message)) {
          this.#logger.error(
            { err: error, model: config.name, reason },
            'reload failed, keeping the current versions',
          );
        }
        continue;
      }
      const old = entry?.versions ?? new Map<number, ServedVersion>();
      this.#models.set(config.name, { config, fingerprint, versions: next }); // the switch
      const leaving = new Map([...old].filter(([v, served]) => next.get(v) !== served));
      if (leaving.size > 0 || next.size !== old.size) this.#options.onChange?.();
      await this.#unloadAll(leaving, () => this.get(config.name), changes);
    }
    const message = [...changes, ...errors].join('; ') || 'no changes';
    if (changes.length > 0 || this.#shouldReport(reason, errors) || reason === 'request') {
      this.#logger.info({ reason, changes, errors }, 'reload done');
    }
    return { ok: errors.length === 0, message, details: { changes, errors } };
  }

  /** True when `errors` differ from what the previous reload reported (always for a request). */
  #shouldReport(reason: 'poll' | 'request', errors: readonly string[]): boolean {
    const fresh = errors.some((e) => !this.#reported.has(e));
    this.#reported = new Set(errors);
    return reason === 'request' || fresh;
  }

  /** The version map a model should have now, reusing `current` versions that stay. */
  async #loadModel(
    config: ModelConfig,
    current: ReadonlyMap<number, ServedVersion>,
    changes: string[],
  ): Promise<Map<number, ServedVersion>> {
    const onDisk = await scanVersions(config.basePath);
    const selected = selectVersions(
      config.versionPolicy,
      onDisk.map((f) => f.version),
    );
    const next = new Map<number, ServedVersion>();
    const loaded: ServedVersion[] = [];
    try {
      for (const files of onDisk) {
        if (!selected.includes(files.version)) continue;
        const existing = current.get(files.version);
        if (existing) {
          next.set(files.version, existing);
          continue;
        }
        const served = await loadVersion(config, files, {
          engine: this.#options.engine,
          createPool: this.#options.createPool,
          maxQueueSize: this.#options.settings.max_queue_size,
          metrics: this.#options.metrics ?? noVersionMetrics,
          logger: this.#logger,
        });
        loaded.push(served);
        next.set(files.version, served);
        changes.push(`loaded ${config.name}:${files.version}`);
      }
    } catch (error: unknown) {
      // All or nothing per model: release what this attempt loaded.
      await Promise.all(loaded.map((v) => v.unload(undefined)));
      throw error;
    }
    return next;
  }

  async #unloadAll(
    versions: ReadonlyMap<number, ServedVersion>,
    successor: (() => ServedModel) | undefined,
    changes: string[],
  ): Promise<void> {
    await Promise.all(
      [...versions.values()].map(async (served) => {
        await served.unload(successor, successor === undefined ? 0 : (this.#options.unloadGraceMs ?? 1000));
        changes.push(`unloaded ${served.name}:${served.version}`);
      }),
    );
  }

  // ---- ModelRegistry ----

  get(name: string, version?: number): ServedModel {
    const entry = this.#models.get(name);
    if (entry === undefined) throw new ServerError('OVF_ERR_MODEL_NOT_FOUND', `model ${name} is not served`);
    if (version !== undefined && version !== 0) {
      const served = entry.versions.get(version);
      if (served === undefined) {
        throw new ServerError(
          'OVF_ERR_MODEL_VERSION_NOT_FOUND',
          `model ${name} has no served version ${version}`,
        );
      }
      return served;
    }
    let latest: ServedVersion | undefined;
    for (const served of entry.versions.values())
      if (!latest || served.version > latest.version) latest = served;
    if (latest === undefined)
      throw new ServerError('OVF_ERR_MODEL_UNAVAILABLE', `model ${name} has no available version`);
    return latest;
  }

  list(): readonly { name: string; versions: readonly ServedModel[] }[] {
    return [...this.#models].map(([name, entry]) => ({
      name,
      versions: [...entry.versions.values()].sort((a, b) => a.version - b.version),
    }));
  }

  ready(): boolean {
    if (this.#closed || this.#models.size === 0) return false;
    for (const entry of this.#models.values()) if (entry.versions.size === 0) return false;
    return true;
  }

  /** Per-version gauges for /metrics. */
  gauges(): VersionGauges[] {
    return [...this.#models.values()].flatMap((entry) =>
      [...entry.versions.values()].map((v) => ({
        name: v.name,
        version: v.version,
        streams: v.streams,
        nireq: v.nireq,
        active: v.activeInferRequests,
      })),
    );
  }

  /** Shutdown begins: readiness turns false, polling stops; models keep serving what arrives. */
  stopAccepting(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#options.onChange?.();
  }

  /** Stops polling and unloads every model once its in-flight requests have finished. */
  async close(): Promise<void> {
    this.stopAccepting();
    await this.#running?.catch(() => undefined);
    const entries = [...this.#models.values()];
    this.#models.clear();
    await Promise.all(entries.map((entry) => this.#unloadAll(entry.versions, undefined, [])));
  }
}
