// In-process latency of ovfleet's ov-c engine (no network): the PP-OCR classifier (1×3×48×192 f32,
// single stream) with nireq 1 and 2 through the InferPool, and the per-call overhead of the FFI path on
// a tiny Add model (engine.infer vs a raw synchronous ov_infer_request_infer on the same library).
// Prints JSON (last line) and a table. Run: node bench/engine/engine-latency.ts [seconds]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEngineEnvironment, selectEngine } from '../../server/engine/index.ts';
import { loadLibrary, type Out, type Ptr } from '../../server/engine/ov-c/library.ts';
import { findLibrary } from '../../server/engine/ov-c/locate.ts';
import type { Tensor } from '../../server/engine/types.ts';
import { InferPool } from '../../server/pool/infer-pool.ts';
import { ocrModelPath, writeAddModel } from '../../test/support/models.ts';
import { round, summarize } from '../common/stats.ts';
import { formatTable } from '../common/table.ts';

const seconds = Number(process.argv[2] ?? 2);
const dir = await mkdtemp(join(tmpdir(), 'ovfleet-bench-engine-'));
const engine = await selectEngine('ov-c');

function f32(shape: number[], fill: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    elementType: 'f32',
    shape,
    data: new Uint8Array(Float32Array.from({ length: n }, (_, i) => fill(i)).buffer),
  };
}

/** Runs `concurrency` loops of `call` for `seconds`; returns per-call latencies. */
async function loop(
  call: () => Promise<unknown>,
  concurrency: number,
): Promise<{ lat: number[]; wallS: number }> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await call();
        lat.push(performance.now() - t);
      }
    }),
  );
  return { lat, wallS: (performance.now() - started) / 1000 };
}

const rows: (string | number)[][] = [];
const results: Record<string, unknown> = { engine: engine.name, version: engine.version, seconds };

// PP-OCR cls, single stream.
const cls = await engine.load({
  modelPath: ocrModelPath('cls'),
  device: 'CPU',
  properties: { NUM_STREAMS: '1', INFERENCE_PRECISION_HINT: 'f32' },
  inputShapes: { x: [1, 3, 48, 192] },
});
const clsInput = new Map([['x', f32([1, 3, 48, 192], (i) => Math.sin(i / 7))]]);
for (const nireq of [1, 2]) {
  const pool = new InferPool(cls, { nireq, maxQueue: 8 });
  for (let i = 0; i < 5; i++) await pool.infer(clsInput); // warm-up
  const { lat, wallS } = await loop(() => pool.infer(clsInput), nireq);
  const s = summarize(lat);
  results[`cls_nireq${nireq}`] = { ...s, throughput: lat.length / wallS };
  rows.push([
    `PP-OCR cls nireq=${nireq}`,
    s.count,
    round(s.meanMs),
    round(s.p50Ms),
    round(s.p99Ms),
    round(lat.length / wallS, 1),
  ]);
  await pool.drain();
}
cls.release();

// Tiny Add model: engine path vs raw synchronous native infer.
const addPath = await writeAddModel(dir, { shape: [1, 4] });
const add = await engine.load({ modelPath: addPath, device: 'CPU', properties: { NUM_STREAMS: '1' } });
const request = add.createRequest();
const addInput = new Map([['input', f32([1, 4], (i) => i)]]);
for (let i = 0; i < 100; i++) await request.infer(addInput);
const viaEngine = await loop(() => request.infer(addInput), 1);
request.release();
add.release();

const search = findLibrary(readEngineEnvironment());
const { api } = loadLibrary(search.path ?? '');
const core: Out<Ptr> = [null];
api.ov_core_create(core);
const model: Out<Ptr> = [null];
api.ov_core_read_model(core[0] ?? 0n, addPath, null, model);
const compiled: Out<Ptr> = [null];
api.ov_core_compile_model(
  core[0] ?? 0n,
  model[0] ?? 0n,
  'CPU',
  2,
  compiled,
  'const char *',
  'NUM_STREAMS',
  'const char *',
  '1',
);
const raw: Out<Ptr> = [null];
api.ov_compiled_model_create_infer_request(compiled[0] ?? 0n, raw);
const rawLat: number[] = [];
const rawEnd = performance.now() + seconds * 1000;
while (performance.now() < rawEnd) {
  const t = performance.now();
  api.ov_infer_request_infer(raw[0] ?? 0n);
  rawLat.push(performance.now() - t);
}
api.ov_infer_request_free(raw[0] ?? 0n);
api.ov_compiled_model_free(compiled[0] ?? 0n);
api.ov_model_free(model[0] ?? 0n);
api.ov_core_free(core[0] ?? 0n);

const e = summarize(viaEngine.lat);
const r = summarize(rawLat);
results.add_engine = e;
results.add_raw_sync = r;
results.ffi_overhead_us_p50 = round((e.p50Ms - r.p50Ms) * 1000, 1);
rows.push([
  'Add 1×4 engine.infer',
  e.count,
  round(e.meanMs, 4),
  round(e.p50Ms, 4),
  round(e.p99Ms, 4),
  round(e.count / viaEngine.wallS, 0),
]);
rows.push([
  'Add 1×4 raw sync infer',
  r.count,
  round(r.meanMs, 4),
  round(r.p50Ms, 4),
  round(r.p99Ms, 4),
  round(r.count / seconds, 0),
]);

await rm(dir, { recursive: true, force: true });
console.log(formatTable(['case', 'calls', 'mean ms', 'p50 ms', 'p99 ms', 'per s'], rows));
console.log(`engine-path overhead over raw sync infer (p50): ${results.ffi_overhead_us_p50} µs`);
console.log(JSON.stringify(results));
