// The ov-c engine keeps one native input tensor per request and port and refills it in place while the
// shape stays the same. These tests alternate shapes and values on one request of a dynamic-batch model
// (output = input + constant) and check every result against sums computed here, not by the engine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectEngine } from '../../../server/engine/index.ts';
import type { CompiledModel, Engine, Tensor } from '../../../server/engine/types.ts';
import { writeDynamicBatchModel } from '../../support/models.ts';
import { f32, values } from './tensors.ts';

const CONSTANT = 1.5;
let dir: string;
let engine: Engine;
let model: CompiledModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-reuse-'));
  engine = await selectEngine('ov-c');
  model = await engine.load({
    modelPath: await writeDynamicBatchModel(dir, { min: 1, max: 8 }, CONSTANT),
    device: 'CPU',
    properties: { INFERENCE_PRECISION_HINT: 'f32' },
  });
});
afterAll(async () => {
  model.release();
  await rm(dir, { recursive: true, force: true });
});

/** A [batch, 4] input whose values depend on `seed`, so repeated shapes carry different data. */
function numbers(batch: number, seed: number): number[] {
  return Array.from({ length: batch * 4 }, (_, i) => seed * 10 + i * 0.25 - 3);
}
function input(values: number[]): Map<string, Tensor> {
  return new Map([['input', f32([values.length / 4, 4], values)]]);
}

describe('ov-c input tensor reuse', () => {
  it('gives the right result when the shape alternates A, B, A and repeats with new data', async () => {
    const request = model.createRequest();
    const steps: [batch: number, seed: number][] = [
      [2, 1],
      [5, 2],
      [2, 3],
      [2, 4],
      [1, 5],
      [5, 6],
    ];
    const kept: { out: Tensor; expected: number[]; batch: number }[] = [];
    for (const [batch, seed] of steps) {
      const given = numbers(batch, seed);
      const out = (await request.infer(input(given))).get('output');
      const expected = given.map((v) => v + CONSTANT);
      expect(out?.shape).toEqual([batch, 4]);
      expect(values(out as Tensor)).toEqual(expected);
      kept.push({ out: out as Tensor, expected, batch });
    }
    // Results handed out earlier are the caller's own copies: later inferences do not change them.
    for (const { out, expected, batch } of kept) {
      expect(out.shape).toEqual([batch, 4]);
      expect(values(out)).toEqual(expected);
    }
    request.release();
  });

  it('does not let the caller’s later writes to its input bytes reach the next inference', async () => {
    const request = model.createRequest();
    const given = numbers(3, 7);
    const tensors = input(given);
    const first = (await request.infer(tensors)).get('output') as Tensor;
    (tensors.get('input') as Tensor).data.fill(0); // the caller reuses its buffer: all zeros now
    const second = (await request.infer(tensors)).get('output') as Tensor;
    expect(values(first)).toEqual(given.map((v) => v + CONSTANT));
    expect(values(second)).toEqual(given.map(() => CONSTANT));
    request.release();
  });

  it('recovers after a rejected input: the next requests of either shape are right', async () => {
    const request = model.createRequest();
    await request.infer(input(numbers(2, 1)));
    const short: Tensor = { elementType: 'f32', shape: [2, 4], data: new Uint8Array(12) };
    await expect(request.infer(new Map([['input', short]]))).rejects.toThrow(/bytes given/);
    for (const [batch, seed] of [
      [4, 2],
      [2, 3],
    ] as const) {
      const given = numbers(batch, seed);
      const out = (await request.infer(input(given))).get('output') as Tensor;
      expect(values(out)).toEqual(given.map((v) => v + CONSTANT));
    }
    request.release();
  });

  it('keeps requests independent: two requests of one model alternate shapes without mixing data', async () => {
    const a = model.createRequest();
    const b = model.createRequest();
    for (let round = 0; round < 3; round++) {
      const givenA = numbers(round % 2 === 0 ? 2 : 3, round);
      const givenB = numbers(round % 2 === 0 ? 3 : 2, round + 100);
      const [outA, outB] = await Promise.all([a.infer(input(givenA)), b.infer(input(givenB))]);
      expect(values(outA.get('output') as Tensor)).toEqual(givenA.map((v) => v + CONSTANT));
      expect(values(outB.get('output') as Tensor)).toEqual(givenB.map((v) => v + CONSTANT));
    }
    a.release();
    b.release();
  });
});
