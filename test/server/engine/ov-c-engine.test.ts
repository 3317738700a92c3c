// The ov-c engine against real OpenVINO (the wheel's libopenvino_c); numerical results are compared
// with OpenVINO's own Python API on the same model and input.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectEngine } from '../../../server/engine/index.ts';
import { ELEMENT_TYPES, type ElementType, type Engine, type Tensor } from '../../../server/engine/types.ts';
import { ServerError } from '../../../server/errors.ts';
import {
  ocrModelPath,
  writeAddModel,
  writeDynamicBatchModel,
  writeElementTypeModels,
  writeSlowModel,
  writeTwoInTwoOutModel,
} from '../../support/models.ts';
import { pythonReference, pythonReferences } from './python-reference.ts';
import { f32, maxAbsDiff, tensor, values } from './tensors.ts';

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-engine-'));
  engine = await selectEngine('ov-c');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CPU = { device: 'CPU', properties: { INFERENCE_PRECISION_HINT: 'f32' } } as const;

describe('ov-c engine', () => {
  it('reports the OpenVINO build and CPU among its devices', () => {
    expect(engine.name).toBe('ov-c');
    expect(engine.version).toMatch(/^2026\.4\.1/);
    expect(engine.availableDevices()).toContain('CPU');
  });

  it('loads an IR model and describes its ports', async () => {
    const model = await engine.load({ modelPath: await writeTwoInTwoOutModel(dir), ...CPU });
    expect(model.inputs.map((p) => [p.name, p.elementType, p.shape])).toEqual([
      ['a', 'f32', [1, 4]],
      ['b', 'f32', [1, 4]],
    ]);
    expect(model.outputs.map((p) => p.name)).toEqual(['sum', 'product']);
    const request = model.createRequest();
    const out = await request.infer(
      new Map([
        ['a', f32([1, 4], [1, 2, 3, 4])],
        ['b', f32([1, 4], [10, 20, 30, 40])],
      ]),
    );
    expect(values(out.get('sum')!)).toEqual([11, 22, 33, 44]);
    expect(values(out.get('product')!)).toEqual([10, 40, 90, 160]);
    request.release();
    model.release();
  });

  it('loads the PP-OCR classifier (ONNX) and matches OpenVINO Python on the same input', async () => {
    const modelPath = ocrModelPath('cls');
    const model = await engine.load({ modelPath, ...CPU, inputShapes: { x: [1, 3, 48, 192] } });
    expect(model.inputs[0]).toMatchObject({ name: 'x', elementType: 'f32', shape: [1, 3, 48, 192] });
    const input = f32(
      [1, 3, 48, 192],
      Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i / 7)),
    );
    const request = model.createRequest();
    const ours = await request.infer(new Map([['x', input]]));
    const reference = await pythonReference({ model: modelPath, inputs: new Map([['x', input]]) });
    expect([...ours.keys()]).toEqual([...reference.keys()]);
    for (const [name, expected] of reference) {
      const got = ours.get(name)!;
      expect(got.shape).toEqual(expected.shape);
      expect(maxAbsDiff(values(got), values(expected))).toBeLessThan(1e-4);
    }
    request.release();
    model.release();
  });

  it('reports dynamic dimensions as ranges and infers any batch size', async () => {
    const model = await engine.load({ modelPath: await writeDynamicBatchModel(dir), ...CPU });
    expect(model.inputs[0]?.shape).toEqual([{ min: 0, max: -1 }, 4]);
    const request = model.createRequest();
    for (const batch of [1, 3]) {
      const input = f32(
        [batch, 4],
        Array.from({ length: batch * 4 }, (_, i) => i),
      );
      const out = (await request.infer(new Map([['input', input]]))).get('output')!;
      expect(out.shape).toEqual([batch, 4]);
      expect(values(out)).toEqual(Array.from({ length: batch * 4 }, (_, i) => i + 1));
    }
    request.release();
    model.release();
  });

  it('reshapes inputs to a fixed shape or a range before compiling', async () => {
    const path = await writeDynamicBatchModel(dir);
    const ranged = await engine.load({
      modelPath: path,
      ...CPU,
      inputShapes: { input: [{ min: 1, max: 8 }, 4] },
    });
    expect(ranged.inputs[0]?.shape).toEqual([{ min: 1, max: 8 }, 4]);
    const fixed = await engine.load({ modelPath: path, ...CPU, inputShapes: { input: [2, 4] } });
    expect(fixed.inputs[0]?.shape).toEqual([2, 4]);
    ranged.release();
    fixed.release();
    await expect(engine.load({ modelPath: path, ...CPU, inputShapes: { nope: [2, 4] } })).rejects.toThrow(
      /no input nope/,
    );
  });

  describe('every element type', () => {
    const inputFor = (t: ElementType): Tensor =>
      tensor(t, [1, 4], t === 'boolean' ? [0, 1, 1, 0] : [0, 1, 2, 100]);
    const references = new Map<ElementType, Tensor>();
    let paths: Map<ElementType, string>;
    beforeAll(async () => {
      paths = await writeElementTypeModels(join(dir, 'types'), ELEMENT_TYPES);
      // One Python process for all types; bf16 and f16 inputs go in as raw bits (numpy has no bf16).
      const outs = await pythonReferences(
        ELEMENT_TYPES.map((t) => ({ model: paths.get(t)!, inputs: new Map([['input', inputFor(t)]]) })),
      );
      ELEMENT_TYPES.forEach((t, i) => {
        references.set(t, outs[i]!.get('output')!);
      });
    });

    it.each(ELEMENT_TYPES)(
      'serves %s tensors with the same results as OpenVINO Python',
      async (elementType) => {
        const model = await engine.load({ modelPath: paths.get(elementType)!, ...CPU });
        expect(model.inputs[0]?.elementType).toBe(elementType);
        expect(model.outputs[0]?.elementType).toBe(elementType);
        const request = model.createRequest();
        const ours = (await request.infer(new Map([['input', inputFor(elementType)]]))).get('output')!;
        const reference = references.get(elementType)!;
        expect(ours.elementType).toBe(elementType);
        expect(ours.shape).toEqual(reference.shape);
        expect(Buffer.from(ours.data).equals(Buffer.from(reference.data))).toBe(true);
        // And the arithmetic a user expects: +1 (boolean: xor with true).
        expect(values(ours)).toEqual(elementType === 'boolean' ? [1, 0, 0, 1] : [1, 2, 3, 101]);
        request.release();
        model.release();
      },
    );
  });

  it('passes compile properties to OpenVINO and reads them back', async () => {
    const model = await engine.load({
      modelPath: await writeAddModel(dir),
      device: 'CPU',
      properties: { NUM_STREAMS: '2', INFERENCE_NUM_THREADS: '2' },
    });
    expect(model.getProperty('NUM_STREAMS')).toBe('2');
    expect(model.getProperty('INFERENCE_NUM_THREADS')).toBe('2');
    expect(Number(model.getProperty('OPTIMAL_NUMBER_OF_INFER_REQUESTS'))).toBeGreaterThanOrEqual(2);
    model.release();
  });

  it('converts a declared u8 input to the f32 model inside OpenVINO, same result as sending f32', async () => {
    const modelPath = await writeAddModel(dir, { name: 'add-declared', constant: 0.5 });
    const asU8 = await engine.load({ modelPath, ...CPU, inputElementTypes: { input: 'u8' } });
    const asF32 = await engine.load({ modelPath, ...CPU });
    expect(asU8.inputs[0]?.elementType).toBe('u8');
    expect(asU8.outputs[0]?.elementType).toBe('f32');
    const pixels = [0, 17, 128, 255];
    const r8 = asU8.createRequest();
    const r32 = asF32.createRequest();
    const out8 = (await r8.infer(new Map([['input', tensor('u8', [1, 4], pixels)]]))).get('output')!;
    const out32 = (await r32.infer(new Map([['input', f32([1, 4], pixels)]]))).get('output')!;
    expect(values(out8)).toEqual([0.5, 17.5, 128.5, 255.5]);
    expect(values(out8)).toEqual(values(out32));
    r8.release();
    r32.release();
    asU8.release();
    asF32.release();
  });

  it('keeps the event loop running while a slow model infers', async () => {
    const model = await engine.load({ modelPath: await writeSlowModel(dir), ...CPU });
    const request = model.createRequest();
    const input = f32([64, 512], new Array<number>(64 * 512).fill(1));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const started = performance.now();
    await request.infer(new Map([['input', input]]));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // A blocked loop ticks at most once (after the block); a free one about elapsed/2 times. The bound
    // is loose because this 2-core machine is shared and OpenVINO's threads compete with the timer.
    expect(elapsed).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThanOrEqual(Math.max(3, Math.floor(elapsed / 20)));
    request.release();
    model.release();
  });

  it('refuses a device OpenVINO does not have, listing the ones it has', async () => {
    const error = await engine
      .load({ modelPath: await writeAddModel(dir), device: 'HDDL', properties: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('OVF_ERR_ENGINE_DEVICE_UNAVAILABLE');
    expect((error as ServerError).message).toBe(
      `device HDDL is not available; available: ${engine.availableDevices().join(', ')}`,
    );
  });

  it('reports OpenVINO’s own message when a model cannot be read', async () => {
    const error = await engine.load({ modelPath: join(dir, 'missing.xml'), ...CPU }).catch((e: unknown) => e);
    expect((error as ServerError).code).toBe('OVF_ERR_ENGINE_LOAD_FAILED');
    expect((error as ServerError).message).toMatch(/missing\.xml/);
    expect((error as ServerError).message).toMatch(/Could not open the file|not found|exist/i);
  });

  it('rejects inputs of the wrong element type or size before inference', async () => {
    const model = await engine.load({ modelPath: await writeAddModel(dir), ...CPU });
    const request = model.createRequest();
    await expect(
      request.infer(new Map([['input', tensor('i32', [1, 4], [1, 2, 3, 4])]])),
    ).rejects.toMatchObject({
      code: 'OVF_ERR_REQUEST_INVALID',
    });
    await expect(
      request.infer(new Map([['input', { elementType: 'f32', shape: [1, 4], data: new Uint8Array(3) }]])),
    ).rejects.toMatchObject({ code: 'OVF_ERR_REQUEST_INVALID' });
    await expect(request.infer(new Map())).rejects.toThrow(/missing input input/);
    // The request still works afterwards.
    const out = await request.infer(new Map([['input', f32([1, 4], [1, 1, 1, 1])]]));
    expect(values(out.get('output')!)).toEqual([2, 2, 2, 2]);
    request.release();
    model.release();
  });
});
