// Finds the model versions under a base path. OVMS layout: numeric folders (`1/`, `2/`, …) each
// holding an IR (`*.xml` + `*.bin`) or an ONNX file. Generous for single models: a base path that is
// itself a model file, or a folder holding model files without version folders, is version 1.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ServerError } from '../errors.ts';

export interface VersionFiles {
  readonly version: number;
  /** The model file passed to OpenVINO (`.xml` or `.onnx`). */
  readonly modelPath: string;
  /** KServe v2 platform name. */
  readonly platform: 'openvino_ir' | 'onnx';
}

async function isDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The model file inside one folder: `model.xml`/`model.onnx` first, else the only IR (with its .bin
 * present) or ONNX file. An IR whose .bin is still missing (a copy in progress) does not count yet.
 */
export async function findModelFile(dir: string): Promise<Omit<VersionFiles, 'version'> | undefined> {
  const names = new Set(await readdir(dir));
  const irs = [...names]
    .filter((n) => extname(n) === '.xml' && names.has(`${basename(n, '.xml')}.bin`))
    .sort();
  const onnx = [...names].filter((n) => extname(n) === '.onnx').sort();
  const preferred = irs.includes('model.xml') ? 'model.xml' : irs[0];
  if (preferred !== undefined) return { modelPath: join(dir, preferred), platform: 'openvino_ir' };
  const onnxFile = onnx.includes('model.onnx') ? 'model.onnx' : onnx[0];
  if (onnxFile !== undefined) return { modelPath: join(dir, onnxFile), platform: 'onnx' };
  return undefined;
}

/** Every complete version under `basePath`, ascending. Throws OVF_ERR_MODEL_NOT_FOUND when the path is missing. */
export async function scanVersions(basePath: string): Promise<VersionFiles[]> {
  const dir = await isDirectory(basePath);
  if (dir === undefined) {
    throw new ServerError('OVF_ERR_MODEL_NOT_FOUND', `model path ${basePath} does not exist`);
  }
  if (!dir) {
    const ext = extname(basePath);
    if (ext === '.onnx') return [{ version: 1, modelPath: basePath, platform: 'onnx' }];
    if (ext === '.xml') {
      const found = await findModelFile(dirname(basePath));
      if (found?.modelPath === basePath) return [{ version: 1, ...found }];
      return [];
    }
    throw new ServerError('OVF_ERR_MODEL_NOT_FOUND', `${basePath} is not a model folder, .xml or .onnx file`);
  }
  const versions: VersionFiles[] = [];
  for (const entry of await readdir(basePath, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^\d+$/.test(entry.name)) continue;
    const version = Number(entry.name);
    if (version < 1 || !Number.isSafeInteger(version)) continue;
    try {
      const found = await findModelFile(join(basePath, entry.name));
      if (found) versions.push({ version, ...found });
    } catch (error: unknown) {
      // A version folder removed between readdir and here is simply gone.
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
  }
  if (versions.length === 0) {
    const direct = await findModelFile(basePath);
    if (direct) return [{ version: 1, ...direct }];
  }
  return versions.sort((a, b) => a.version - b.version);
}
