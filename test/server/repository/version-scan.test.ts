import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { scanVersions } from '../../../server/repository/version-scan.ts';

let root: string;

async function put(...files: string[]): Promise<void> {
  for (const file of files) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), '');
  }
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovf-scan-'));
});

describe('version folders', () => {
  it('finds numeric version folders with IR or ONNX models, ascending numerically', async () => {
    await put('1/model.xml', '1/model.bin', '2/net.onnx', '10/model.xml', '10/model.bin');
    expect(await scanVersions(root)).toEqual([
      { version: 1, modelPath: join(root, '1/model.xml'), platform: 'openvino_ir' },
      { version: 2, modelPath: join(root, '2/net.onnx'), platform: 'onnx' },
      { version: 10, modelPath: join(root, '10/model.xml'), platform: 'openvino_ir' },
    ]);
  });

  it('skips non-numeric folders, version 0, empty folders and an IR whose .bin has not arrived yet', async () => {
    await put(
      '1/model.xml',
      '1/model.bin',
      'tmp/model.xml',
      'tmp/model.bin',
      '0/model.onnx',
      '3/model.xml',
      'x.txt',
    );
    await mkdir(join(root, '4'));
    expect((await scanVersions(root)).map((v) => v.version)).toEqual([1]);
  });

  it('prefers model.xml when a folder holds several IRs', async () => {
    await put('1/a.xml', '1/a.bin', '1/model.xml', '1/model.bin');
    expect((await scanVersions(root))[0]?.modelPath).toBe(join(root, '1/model.xml'));
  });
});

describe('plain models without version folders are version 1', () => {
  it('a folder holding model files', async () => {
    await put('det.onnx');
    expect(await scanVersions(root)).toEqual([
      { version: 1, modelPath: join(root, 'det.onnx'), platform: 'onnx' },
    ]);
  });

  it('a path to the .onnx or .xml file itself', async () => {
    await put('m.onnx', 'ir/m.xml', 'ir/m.bin');
    expect(await scanVersions(join(root, 'm.onnx'))).toEqual([
      { version: 1, modelPath: join(root, 'm.onnx'), platform: 'onnx' },
    ]);
    expect(await scanVersions(join(root, 'ir/m.xml'))).toEqual([
      { version: 1, modelPath: join(root, 'ir/m.xml'), platform: 'openvino_ir' },
    ]);
  });

  it('a missing path is a clear model-not-found error', async () => {
    await expect(scanVersions(join(root, 'nope'))).rejects.toMatchObject({
      code: 'OVF_ERR_MODEL_NOT_FOUND',
      message: expect.stringContaining('does not exist'),
    });
  });

  it('an empty folder has no versions', async () => {
    expect(await scanVersions(root)).toEqual([]);
  });
});
