// The in-process limit: ovfleet's own engine and infer-request pool with no protocol in the way.
// `concurrency` callers each keep one inference in flight through InferPool (as the server's
// transports do) for a fixed time; the result is throughput and latency percentiles per level, so
// that server / in-process isolates the protocol's cost and in-process / benchmark_app the FFI's.
//
//   node bench/server/in-process.ts '<json of InProcessSpec>'   → one JSON line per concurrency level
import { randomFillSync } from 'node:crypto';
import { pino } from 'pino';
import { z } from 'zod';
import { selectEngine } from '../../server/engine/index.ts';
import { ELEMENT_SIZE, type Tensor } from '../../server/engine/types.ts';
import { tuneGarbageCollector } from '../../server/gc-tuning.ts';
import { InferPool } from '../../server/pool/infer-pool.ts';
import { summarize } from '../common/stats.ts';

export const inProcessSpecSchema = z.object({
  modelPath: z.string().min(1),
  inputName: z.string().min(1),
  shape: z.array(z.int().positive()),
  properties: z.record(z.string(), z.string()),
  nireq: z.int().positive(),
  concurrency: z.array(z.int().positive()).min(1),
  seconds: z.number().positive(),
  warmupSeconds: z.number().min(0).default(0.5),
});
export type InProcessSpec = z.input<typeof inProcessSpecSchema>;

export const inProcessPointSchema = z.object({
  concurrency: z.int(),
  throughput: z.number(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p99Ms: z.number(),
  count: z.int(),
  /** CPU cores this process kept busy (every thread, OpenVINO's included). */
  cores: z.number(),
});
export type InProcessPoint = z.infer<typeof inProcessPointSchema>;

async function drive(
  pool: InferPool,
  inputs: ReadonlyMap<string, Tensor>,
  concurrency: number,
  seconds: number,
) {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await pool.infer(inputs);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { latencies, elapsedS: (performance.now() - started) / 1000 };
}

async function main(argv: readonly string[]): Promise<void> {
  const spec = inProcessSpecSchema.parse(JSON.parse(argv[0] ?? '{}'));
  tuneGarbageCollector(); // the same V8 settings as ovfleet-server, so only the protocol differs
  const logger = pino({ name: 'bench-in-process', level: 'warn' }, pino.destination({ fd: 2, sync: true }));
  const engine = await selectEngine('ov-c', { logger });
  const compiled = await engine.load({
    modelPath: spec.modelPath,
    device: 'CPU',
    properties: spec.properties,
    inputShapes: { [spec.inputName]: spec.shape },
  });
  const port = compiled.inputs.find((p) => p.names.includes(spec.inputName));
  if (!port) throw new Error(`model has no input ${spec.inputName}`);
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(count * ELEMENT_SIZE[port.elementType]);
  if (port.elementType === 'f32') {
    const floats = new Float32Array(data.buffer);
    for (let i = 0; i < floats.length; i++) floats[i] = Math.random();
  } else {
    randomFillSync(data);
  }
  const inputs = new Map<string, Tensor>([
    [port.name, { elementType: port.elementType, shape: spec.shape, data }],
  ]);
  const pool = new InferPool(compiled, { nireq: spec.nireq, maxQueue: 1024 });
  try {
    for (const concurrency of spec.concurrency) {
      await drive(pool, inputs, concurrency, spec.warmupSeconds);
      const cpuBefore = process.cpuUsage();
      const { latencies, elapsedS } = await drive(pool, inputs, concurrency, spec.seconds);
      const cpu = process.cpuUsage(cpuBefore);
      const s = summarize(latencies);
      const point: InProcessPoint = {
        concurrency,
        throughput: latencies.length / elapsedS,
        p50Ms: s.p50Ms,
        p90Ms: s.p90Ms,
        p99Ms: s.p99Ms,
        count: s.count,
        cores: (cpu.user + cpu.system) / 1e6 / elapsedS,
      };
      process.stdout.write(`${JSON.stringify(point)}\n`);
    }
  } finally {
    await pool.drain();
    compiled.release();
  }
}

if (import.meta.main) await main(process.argv.slice(2));
