// The three benchmark models and their on-disk repositories (<dir>/<name>/1/model.{xml,onnx}):
// a generated tiny model (pure serving overhead), PP-OCR classification and PP-OCR detection at a
// fixed input size (compute-heavy).
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ocrModelPath, writeAddModel } from '../../test/support/models.ts';

export const MODEL_KEYS = ['tiny', 'cls', 'det'] as const;
export type ModelKey = (typeof MODEL_KEYS)[number];

export interface BenchModel {
  readonly key: ModelKey;
  /** The served model name. */
  readonly name: string;
  readonly inputName: string;
  /** The fixed input shape every system uses (the server reshapes to it). */
  readonly shape: readonly number[];
  /** perf_analyzer window: long enough to hold many requests at concurrency 16. */
  readonly measurementIntervalMs: number;
}

export const BENCH_MODELS: Record<ModelKey, BenchModel> = {
  tiny: { key: 'tiny', name: 'tiny', inputName: 'input', shape: [1, 16], measurementIntervalMs: 1500 },
  cls: { key: 'cls', name: 'ppocr-cls', inputName: 'x', shape: [1, 3, 48, 192], measurementIntervalMs: 1500 },
  // 320×320 rather than 640×640: at 640 2 vCPUs manage ~4 inferences/s (benchmark_app), and concurrency 16
  // would need windows of ~10 s to hold enough requests, which does not fit the run's time budget.
  det: {
    key: 'det',
    name: 'ppocr-det',
    inputName: 'x',
    shape: [1, 3, 320, 320],
    measurementIntervalMs: 3000,
  },
};

/** Writes the model's repository under `dir`; returns the model file's path inside it. */
export async function prepareModel(model: BenchModel, dir: string): Promise<string> {
  const versionDir = join(dir, model.name, '1');
  await mkdir(versionDir, { recursive: true });
  if (model.key === 'tiny') {
    return writeAddModel(versionDir, { name: 'model', shape: [...model.shape], inputName: model.inputName });
  }
  const target = join(versionDir, 'model.onnx');
  await copyFile(ocrModelPath(model.key), target);
  return target;
}
