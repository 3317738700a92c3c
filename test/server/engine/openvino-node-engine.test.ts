// The openvino-node backend, where the optional package and its downloaded runtime load. Its install
// step downloads the runtime from storage.openvinotoolkit.org, which is not a package registry; where
// that host is unreachable npm drops the optional package and these tests are skipped with that reason.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOpenvinoNodeEngine } from '../../../server/engine/openvino-node/index.ts';
import type { Engine } from '../../../server/engine/types.ts';
import { writeAddModel, writeSlowModel } from '../../support/models.ts';
import { pythonReference } from './python-reference.ts';
import { f32, tensor, values } from './tensors.ts';

const attempt = await openOpenvinoNodeEngine();
const loaded = attempt.engine !== undefined;
const why = `openvino-node not loadable here (${attempt.reasons.join('; ')})`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-ovnode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`openvino-node engine${loaded ? '' : ` — skipped: ${why}`}`, () => {
  const engine = attempt.engine as Engine;

  it.skipIf(!loaded)('loads an IR model and matches OpenVINO Python', async () => {
    const modelPath = await writeAddModel(dir, { constant: 2 });
    const model = await engine.load({
      modelPath,
      device: 'CPU',
      properties: { INFERENCE_PRECISION_HINT: 'f32' },
    });
    expect(model.inputs[0]).toMatchObject({ name: 'input', elementType: 'f32', shape: [1, 4] });
    const input = f32([1, 4], [1, 2, 3, 4]);
    const out = (await model.createRequest().infer(new Map([['input', input]]))).get('output')!;
    const ref = (await pythonReference({ model: modelPath, inputs: new Map([['input', input]]) })).get(
      'output',
    )!;
    expect(values(out)).toEqual(values(ref));
    expect(values(out)).toEqual([3, 4, 5, 6]);
  });

  it.skipIf(!loaded)('passes properties and declared input types through', async () => {
    const modelPath = await writeAddModel(dir, { name: 'add-node-u8', constant: 0.5 });
    const model = await engine.load({
      modelPath,
      device: 'CPU',
      properties: { NUM_STREAMS: '2', INFERENCE_NUM_THREADS: '2' },
      inputElementTypes: { input: 'u8' },
    });
    expect(model.getProperty('NUM_STREAMS')).toBe('2');
    expect(model.getProperty('INFERENCE_NUM_THREADS')).toBe('2');
    const out = (
      await model.createRequest().infer(new Map([['input', tensor('u8', [1, 4], [0, 1, 2, 255])]]))
    ).get('output')!;
    expect(values(out)).toEqual([0.5, 1.5, 2.5, 255.5]);
  });

  it.skipIf(!loaded)('keeps the event loop running while a slow model infers', async () => {
    const model = await engine.load({ modelPath: await writeSlowModel(dir), device: 'CPU', properties: {} });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const started = performance.now();
    await model
      .createRequest()
      .infer(new Map([['input', f32([64, 512], new Array<number>(64 * 512).fill(1))]]));
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(Math.max(3, Math.floor((performance.now() - started) / 20)));
  });

  it.skipIf(!loaded)('refuses HDDL listing the available devices', async () => {
    await expect(
      engine.load({ modelPath: await writeAddModel(dir), device: 'HDDL', properties: {} }),
    ).rejects.toThrow(/^device HDDL is not available; available: .*CPU/);
  });
});
