// The repository's reload rules with a stand-in engine (no OpenVINO here; the e2e suite runs the
// same flows against the real one): versions appear and disappear on disk, the switch is atomic,
// requests holding an old version finish on it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseServerArgs } from '../../../server/config.ts';
import type { CompiledModel, Engine, LoadOptions, Tensor } from '../../../server/engine/types.ts';
import { ModelRepository } from '../../../server/repository/model-repository.ts';
import type { PoolPort } from '../../../server/repository/served-version.ts';

const logger = pino({ level: 'silent' });

/** A compiled model whose inference waits until the test releases it; answers with its model path. */
class FakeCompiled implements CompiledModel {
  readonly inputs = [{ name: 'x', names: ['x'], elementType: 'f32' as const, shape: [1] }];
  readonly outputs = [{ name: 'y', names: ['y'], elementType: 'f32' as const, shape: [1] }];
  released = false;
  readonly options: LoadOptions;
  constructor(options: LoadOptions) {
    this.options = options;
  }
  getProperty(name: string): string {
    const known: Record<string, string> = { NUM_STREAMS: '2', OPTIMAL_NUMBER_OF_INFER_REQUESTS: '3' };
    const value = known[name] ?? this.options.properties[name];
    if (value === undefined) throw new Error(`unsupported property ${name}`);
    return value;
  }
  createRequest(): never {
    throw new Error('the fake pool creates no requests');
  }
  release(): void {
    this.released = true;
  }
}

class FakeEngine implements Engine {
  readonly name = 'ov-c' as const;
  readonly version = 'fake';
  loads: FakeCompiled[] = [];
  failOn: string | undefined;
  availableDevices(): string[] {
    return ['CPU', 'GPU.0'];
  }
  async load(options: LoadOptions): Promise<CompiledModel> {
    if (this.failOn !== undefined && options.modelPath.includes(this.failOn)) throw new Error('broken model');
    const compiled = new FakeCompiled(options);
    this.loads.push(compiled);
    return compiled;
  }
}

/** Inference answers once `gate` opens; output `y` carries the model path's bytes. */
function fakePool(compiled: CompiledModel, gate: { open: Promise<void> }): PoolPort {
  let active = 0;
  let drained = false;
  return {
    stats: () => ({ active }),
    async infer() {
      if (drained) throw new Error('pool drained');
      active++;
      await gate.open;
      active--;
      const path = (compiled as FakeCompiled).options.modelPath;
      const y: Tensor = { elementType: 'u8', shape: [path.length], data: new TextEncoder().encode(path) };
      return { outputs: new Map([['y', y]]), waitMs: 0, inferMs: 1 };
    },
    async drain() {
      drained = true;
    },
  };
}

const input = new Map<string, Tensor>([['x', { elementType: 'f32', shape: [1], data: new Uint8Array(4) }]]);
const answeredBy = (out: Map<string, Tensor>): string => new TextDecoder().decode(out.get('y')?.data);

let root: string;
let engine: FakeEngine;
let gate: { open: Promise<void>; release: () => void };

function newGate(): typeof gate {
  let release = (): void => {};
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { open, release };
}

async function addVersion(version: number): Promise<void> {
  await mkdir(join(root, String(version)), { recursive: true });
  await writeFile(join(root, String(version), 'model.onnx'), '');
}

function repository(extra: string[] = [], unloadGraceMs = 0): ModelRepository {
  const settings = parseServerArgs(['--model_name', 'm', '--model_path', root, ...extra]);
  return new ModelRepository({
    engine,
    settings,
    logger,
    createPool: (c) => fakePool(c, gate),
    unloadGraceMs,
  });
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovf-repo-'));
  engine = new FakeEngine();
  gate = newGate();
});

describe('model repository', () => {
  it('serves the latest version; nireq defaults to OpenVINO optimal number and properties are read back', async () => {
    await addVersion(1);
    await addVersion(2);
    const repo = repository(['--plugin_config', '{"PERFORMANCE_HINT":"THROUGHPUT"}']);
    await repo.start();
    const served = repo.get('m');
    expect(served.version).toBe(2);
    expect(served.platform).toBe('onnx');
    expect(served.nireq).toBe(3);
    expect(served.properties).toMatchObject({ NUM_STREAMS: '2', PERFORMANCE_HINT: 'THROUGHPUT', NIREQ: '3' });
    expect(() => repo.get('m', 1)).toThrow(
      expect.objectContaining({ code: 'OVF_ERR_MODEL_VERSION_NOT_FOUND' }),
    );
    expect(() => repo.get('other')).toThrow(expect.objectContaining({ code: 'OVF_ERR_MODEL_NOT_FOUND' }));
    expect(repo.ready()).toBe(true);
    expect(repo.gauges()).toEqual([{ name: 'm', version: 2, streams: 2, nireq: 3, active: 0 }]);
  });

  it('an explicit --nireq wins and reaches the pool', async () => {
    await addVersion(1);
    const repo = repository(['--nireq', '7']);
    await repo.start();
    expect(repo.get('m').nireq).toBe(7);
  });

  it('refuses to start on a device that is not there, listing the available ones', async () => {
    await addVersion(1);
    const repo = repository(['--target_device', 'HDDL']);
    await expect(repo.start()).rejects.toMatchObject({
      code: 'OVF_ERR_ENGINE_DEVICE_UNAVAILABLE',
      message: 'target device HDDL is not available; available devices: CPU, GPU.0',
    });
    await expect(repository(['--target_device', 'HETERO:GPU,CPU']).start()).resolves.toBeUndefined();
  });

  it('refuses to start with no model files', async () => {
    await expect(repository().start()).rejects.toMatchObject({ code: 'OVF_ERR_MODEL_NOT_FOUND' });
  });

  it('reload switches to a new version while requests on the old one complete on it', async () => {
    await addVersion(1);
    const repo = repository();
    await repo.start();
    const old = repo.get('m');
    const inFlight = old.infer(input);
    await addVersion(2);
    await rm(join(root, '1'), { recursive: true });
    const reloading = repo.reload();
    // the new version is served as soon as it is loaded, before the old one finished draining
    await expect.poll(() => repo.get('m').version).toBe(2);
    expect(old.state).toBe('UNLOADING');
    gate.release();
    expect(answeredBy(await inFlight)).toBe(join(root, '1', 'model.onnx'));
    const result = await reloading;
    expect(result).toMatchObject({ ok: true, message: 'loaded m:2; unloaded m:1' });
    expect(old.state).toBe('END');
    expect(engine.loads[0]?.released).toBe(true);
    // a request that got the old version just before the switch is served by the new one
    expect(answeredBy(await old.infer(input))).toBe(join(root, '2', 'model.onnx'));
  });

  it('a replaced version lingers for requests that looked it up but had not started inferring', async () => {
    await addVersion(1);
    const repo = repository([], 300);
    await repo.start();
    gate.release();
    const held = repo.get('m'); // e.g. a REST request still reading its body
    await addVersion(2);
    const reloading = repo.reload();
    await expect.poll(() => repo.get('m').version).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(held.state).toBe('UNLOADING');
    expect(answeredBy(await held.infer(input))).toBe(join(root, '1', 'model.onnx'));
    await reloading;
    expect(held.state).toBe('END');
  });

  it('a reload with nothing new changes nothing; a broken new version keeps the old one serving', async () => {
    await addVersion(1);
    const repo = repository();
    await repo.start();
    gate.release();
    expect(await repo.reload()).toMatchObject({ ok: true, message: 'no changes' });
    engine.failOn = `${join(root, '2')}/`;
    await addVersion(2);
    const failed = await repo.reload();
    expect(failed.ok).toBe(false);
    expect(failed.message).toContain('broken model');
    expect(repo.get('m').version).toBe(1);
    expect(repo.get('m').state).toBe('AVAILABLE');
  });

  it('follows the config file: policy change, new and removed models, rejected edits', async () => {
    await addVersion(1);
    await addVersion(2);
    const config = join(root, 'config.json');
    const write = (list: object[]) =>
      writeFile(config, JSON.stringify({ model_config_list: list.map((c) => ({ config: c })) }));
    await write([{ name: 'a', base_path: root }]);
    const settings = parseServerArgs(['--config_path', config]);
    const repo = new ModelRepository({
      engine,
      settings,
      logger,
      createPool: (c) => fakePool(c, gate),
      unloadGraceMs: 0,
    });
    gate.release();
    await repo.start();
    expect(repo.list().map((m) => [m.name, m.versions.map((v) => v.version)])).toEqual([['a', [2]]]);

    await write([
      { name: 'a', base_path: root, model_version_policy: { all: {} } },
      { name: 'b', base_path: root },
    ]);
    const result = await repo.reload();
    expect(result.ok).toBe(true);
    expect(repo.list().map((m) => [m.name, m.versions.map((v) => v.version)])).toEqual([
      ['a', [1, 2]],
      ['b', [2]],
    ]);

    await writeFile(config, '{"model_config_list": [{"config": {"name": "a"}}]}');
    const rejected = await repo.reload();
    expect(rejected.ok).toBe(false);
    expect(rejected.message).toContain('model_config_list[0].config.base_path');
    expect(repo.list()).toHaveLength(2);

    await write([{ name: 'b', base_path: root }]);
    await repo.reload();
    expect(repo.list().map((m) => m.name)).toEqual(['b']);
    await repo.close();
    expect(repo.ready()).toBe(false);
    expect(engine.loads.every((c) => c.released)).toBe(true);
  });

  it('polls the base path when file_system_poll_wait_seconds > 0', async () => {
    await addVersion(1);
    const repo = repository(['--file_system_poll_wait_seconds', '1']);
    gate.release();
    await repo.start();
    repo.watch(1);
    await addVersion(5);
    await expect.poll(() => repo.get('m').version, { timeout: 5000 }).toBe(5);
    await repo.close();
  });
});

describe('reload error reporting', () => {
  it('a poll does not log the same failure every second; a request always does', async () => {
    await addVersion(1);
    const lines: string[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const settings = parseServerArgs(['--model_name', 'm', '--model_path', root]);
    const repo = new ModelRepository({
      engine,
      settings,
      logger: capture,
      createPool: (c) => fakePool(c, gate),
      unloadGraceMs: 0,
    });
    await repo.start();
    engine.failOn = `${join(root, '2')}/`;
    await addVersion(2);
    const failures = () => lines.filter((l) => l.includes('reload failed')).length;
    await repo.reload('poll');
    await repo.reload('poll');
    await repo.reload('poll');
    expect(failures()).toBe(1);
    await repo.reload('request');
    expect(failures()).toBe(2);
  });
});
