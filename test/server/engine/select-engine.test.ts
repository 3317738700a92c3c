// Engine selection: what loads is picked; when nothing does, one error says what was tried and how to fix it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineEnvironment, selectEngine } from '../../../server/engine/index.ts';
import { openOpenvinoNodeEngine } from '../../../server/engine/openvino-node/index.ts';
import { ServerError } from '../../../server/errors.ts';
import { openvinoLibDir, ovfleetPython } from '../../support/tools.ts';

let empty: string;
let nowhere: EngineEnvironment;
let openvinoNodeLoads = false;

beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'ovfleet-no-openvino-'));
  // The config seam: an environment where no OpenVINO library exists (process.env is left alone).
  nowhere = { openvinoLibDir: empty, cacheLibDir: join(empty, 'cache'), pythonExecutables: [] };
  openvinoNodeLoads = (await openOpenvinoNodeEngine()).engine !== undefined;
});
afterAll(async () => {
  await rm(empty, { recursive: true, force: true });
});

describe('selectEngine', () => {
  it('opens ov-c from OPENVINO_LIB_DIR', async () => {
    const engine = await selectEngine('ov-c', {
      environment: {
        openvinoLibDir: openvinoLibDir(),
        cacheLibDir: join(empty, 'cache'),
        pythonExecutables: [],
      },
    });
    expect(engine.name).toBe('ov-c');
    expect(engine.availableDevices()).toContain('CPU');
  });

  it('auto picks ov-c when its library is found', async () => {
    const engine = await selectEngine('auto', {
      environment: {
        openvinoLibDir: openvinoLibDir(),
        cacheLibDir: join(empty, 'cache'),
        pythonExecutables: [],
      },
    });
    expect(engine.name).toBe('ov-c');
  });

  it('names every place searched and how to install when ov-c finds no library', async () => {
    const error = await selectEngine('ov-c', { environment: nowhere }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    const { code, message } = error as ServerError;
    expect(code).toBe('OVF_ERR_ENGINE_UNAVAILABLE');
    expect(message).toContain(`OPENVINO_LIB_DIR ${empty}: no libopenvino_c.so.2641`);
    expect(message).toContain(`project cache ${join(empty, 'cache')}: no libopenvino_c.so.2641`);
    expect(message).toContain('make openvino');
    expect(message).toContain('pip install openvino==2026.4.1');
    expect(message).toContain('npm install openvino-node');
    expect(message).not.toContain('openvino-node:\n'); // only the backend asked for is tried
  });

  it.skipIf(openvinoNodeLoads)(
    'auto reports both backends when neither loads (skipped where openvino-node and its runtime load)',
    async () => {
      const error = await selectEngine('auto', { environment: nowhere }).catch((e: unknown) => e);
      const { code, message } = error as ServerError;
      expect(code).toBe('OVF_ERR_ENGINE_UNAVAILABLE');
      expect(message).toMatch(/ov-c:\n\s+- OPENVINO_LIB_DIR/);
      expect(message).toMatch(/openvino-node:\n\s+- import openvino-node failed: /);
    },
  );

  it('looks for an installed Python openvino package after the cache', async () => {
    const engine = await selectEngine('ov-c', {
      environment: {
        openvinoLibDir: undefined,
        cacheLibDir: join(empty, 'cache'),
        pythonExecutables: [ovfleetPython()],
      },
    });
    expect(engine.name).toBe('ov-c');
    expect((engine as { libraryPath?: string }).libraryPath).toMatch(/site-packages\/openvino\/libs\//);
  });
});
