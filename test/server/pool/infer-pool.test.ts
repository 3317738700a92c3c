// The infer-request pool: real OpenVINO for results, parallelism, backpressure and drain; the
// FakeCompiledModel only for exact timing and failures (deadline, abort, FIFO hand-over, a failing request).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectEngine } from '../../../server/engine/index.ts';
import type { CompiledModel, Engine, Tensor } from '../../../server/engine/types.ts';
import { ServerError } from '../../../server/errors.ts';
import { InferPool } from '../../../server/pool/infer-pool.ts';
import { writeAddModel, writeSlowModel } from '../../support/models.ts';
import { f32, values } from '../engine/tensors.ts';
import { FakeCompiledModel } from './fake-compiled-model.ts';

let dir: string;
let engine: Engine;
let add: CompiledModel;
let slow: CompiledModel;
let slowInput: Map<string, Tensor>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-pool-'));
  engine = await selectEngine('ov-c');
  add = await engine.load({
    modelPath: await writeAddModel(dir, { constant: 10 }),
    device: 'CPU',
    properties: {},
  });
  slow = await engine.load({
    modelPath: await writeSlowModel(dir, { depth: 60 }),
    device: 'CPU',
    properties: { NUM_STREAMS: '2', INFERENCE_NUM_THREADS: '2' },
  });
  slowInput = new Map([['input', f32([64, 512], new Array<number>(64 * 512).fill(1))]]);
});
afterAll(async () => {
  add.release();
  slow.release();
  await rm(dir, { recursive: true, force: true });
});

const rejection = (p: Promise<unknown>): Promise<ServerError> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as ServerError,
  );

describe('InferPool with real OpenVINO', () => {
  it('answers concurrent callers, each with its own result', async () => {
    const pool = new InferPool(add, { nireq: 2, maxQueue: 20 });
    const calls = Array.from({ length: 12 }, (_, i) =>
      pool
        .infer(new Map([['input', f32([1, 4], [i, i, i, i])]]))
        .then((r) => values(r.outputs.get('output')!)),
    );
    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => [i + 10, i + 10, i + 10, i + 10]));
    expect(pool.stats()).toMatchObject({ completed: 12, active: 0, queued: 0 });
    await pool.drain();
  });

  it('runs at most nireq inferences at once; the rest wait in the queue', async () => {
    const pool = new InferPool(slow, { nireq: 2, maxQueue: 10 });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, pool.stats().active);
    }, 1);
    const calls = Array.from({ length: 5 }, () => pool.infer(slowInput));
    await new Promise((r) => setImmediate(r));
    expect(pool.stats()).toMatchObject({ active: 2, queued: 3 });
    const results = await Promise.all(calls);
    clearInterval(sampler);
    expect(peak).toBeLessThanOrEqual(2);
    // The last callers waited for a free request; the first two did not.
    const waits = results.map((r) => r.waitMs);
    expect(Math.max(...waits.slice(2))).toBeGreaterThan(Math.max(...waits.slice(0, 2)));
    await pool.drain();
  });

  it('refuses callers beyond the queue with RESOURCE_EXHAUSTED / 429, without waiting', async () => {
    const pool = new InferPool(slow, { nireq: 1, maxQueue: 1 });
    let runningDone = false;
    const running = pool.infer(slowInput).then(() => {
      runningDone = true;
    });
    const waiting = pool.infer(slowInput);
    const refused = await rejection(pool.infer(slowInput));
    // Refused at once: the inference ahead of it (tens of ms) has not finished yet.
    expect(runningDone).toBe(false);
    expect(refused).toBeInstanceOf(ServerError);
    expect(refused.code).toBe('OVF_ERR_POOL_QUEUE_FULL');
    expect(refused.grpcStatus).toBe(8);
    expect(refused.httpStatus).toBe(429);
    await Promise.all([running, waiting]);
    expect(pool.stats()).toMatchObject({ completed: 2, rejectedQueueFull: 1 });
    await pool.drain();
  });

  it('drain waits for running and queued work, then refuses new work', async () => {
    const pool = new InferPool(slow, { nireq: 1, maxQueue: 4 });
    const finished: number[] = [];
    const calls = [0, 1].map((i) => pool.infer(slowInput).then(() => finished.push(i)));
    await pool.drain();
    expect(finished).toEqual([0, 1]);
    const closed = await rejection(pool.infer(slowInput));
    expect(closed.code).toBe('OVF_ERR_POOL_CLOSED');
    await Promise.all(calls);
  });
});

describe('InferPool timing and faults (FakeCompiledModel)', () => {
  const x = new Map([['x', f32([1], [1])]]);

  it('a caller whose wait deadline passes leaves the queue with DEADLINE_EXCEEDED', async () => {
    const model = new FakeCompiledModel();
    const pool = new InferPool(model, { nireq: 1, maxQueue: 5 });
    const running = pool.infer(x);
    const late = rejection(pool.infer(x, { timeoutMs: 30 }));
    expect(pool.stats().queued).toBe(1);
    const started = performance.now();
    const error = await late;
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(error.code).toBe('OVF_ERR_POOL_DEADLINE');
    expect(error.grpcStatus).toBe(4);
    expect(pool.stats()).toMatchObject({ queued: 0, timedOut: 1 });
    model.busy().finish();
    await running;
    await pool.drain();
  });

  it('an aborted caller leaves the queue and the next in line gets the request (FIFO)', async () => {
    const model = new FakeCompiledModel();
    const pool = new InferPool(model, { nireq: 1, maxQueue: 5 });
    const order: string[] = [];
    const first = pool.infer(x).then(() => order.push('first'));
    const abort = new AbortController();
    const cancelled = rejection(pool.infer(x, { signal: abort.signal }));
    const third = pool.infer(x).then(() => order.push('third'));
    const fourth = pool.infer(x).then(() => order.push('fourth'));
    abort.abort();
    expect((await cancelled).code).toBe('OVF_ERR_REQUEST_CANCELLED');
    expect(pool.stats().queued).toBe(2);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      model.busy().finish();
    }
    await Promise.all([first, third, fourth]);
    expect(order).toEqual(['first', 'third', 'fourth']);
    expect(pool.stats()).toMatchObject({ completed: 3, cancelled: 1 });
    await pool.drain();
  });

  it('an already aborted signal is refused before queueing', async () => {
    const pool = new InferPool(new FakeCompiledModel(), { nireq: 1, maxQueue: 5 });
    const error = await rejection(pool.infer(x, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('OVF_ERR_REQUEST_CANCELLED');
    await pool.drain();
  });

  it('a failed inference reaches the caller and its request serves the next one', async () => {
    const model = new FakeCompiledModel();
    const pool = new InferPool(model, { nireq: 1, maxQueue: 0 });
    model.requests[0]?.failNext('boom');
    const error = await rejection(pool.infer(x));
    expect(error.code).toBe('OVF_ERR_ENGINE_INFER_FAILED');
    const next = pool.infer(x);
    await new Promise((r) => setImmediate(r));
    model.busy().finish();
    expect((await next).outputs.get('x')).toBeDefined();
    expect(pool.stats()).toMatchObject({ failed: 1, completed: 1, active: 0 });
    await pool.drain();
    expect(model.requests.every((r) => r.released)).toBe(true);
  });

  it('rejects a nireq below 1', () => {
    expect(() => new InferPool(new FakeCompiledModel(), { nireq: 0, maxQueue: 1 })).toThrow(/nireq/);
  });
});
