// Bad input never takes ovfleet-server down and always names the problem. While a background loop of
// good gRPC and REST inferences runs against the real server (real OpenVINO, PP-OCR classifier), each
// kind of bad request is sent over both protocols and must get the right gRPC status / HTTP status with
// a message naming the offending field. Every good request must still succeed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageOcrModel } from '../support/models.ts';
import { runServer, type ServerProcess } from '../support/server-process.ts';
import { grpc, InferenceClient } from './support/grpc-client.ts';

const SAMPLE = 3 * 48 * 192; // floats per image
const MAX_MESSAGE = 1024 * 1024;
let dir = '';
let server: ServerProcess;
let client: InferenceClient;

const image = (batch: number) => Buffer.from(new Float32Array(batch * SAMPLE).fill(0.5).buffer);
const x = (shape: number[], datatype = 'FP32') => ({ name: 'x', datatype, shape });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-e2e-bad-'));
  await stageOcrModel(dir, 'cls');
  server = await runServer([
    '--model_name',
    'cls',
    '--model_path',
    join(dir, 'cls'),
    '--max_message_bytes',
    String(MAX_MESSAGE),
    '--file_system_poll_wait_seconds',
    '0',
  ]);
  client = new InferenceClient(`127.0.0.1:${server.grpcPort}`);
});

afterAll(async () => {
  client?.close();
  await server?.stop(10_000);
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** Good requests in a loop (gRPC raw and REST binary, alternating) until stopped. */
function goodLoop() {
  let stop = false;
  const failures: string[] = [];
  let ok = 0;
  const body = (() => {
    const header = Buffer.from(
      JSON.stringify({ inputs: [{ ...x([1, 3, 48, 192]), parameters: { binary_data_size: SAMPLE * 4 } }] }),
    );
    return { header, data: Buffer.concat([header, image(1)]) };
  })();
  const loop = async (useGrpc: boolean) => {
    while (!stop) {
      if (useGrpc) {
        const r = await client.call('ModelInfer', {
          model_name: 'cls',
          inputs: [x([1, 3, 48, 192])],
          raw_input_contents: [image(1)],
        });
        const outputs = r.value?.outputs as unknown[] | undefined;
        if (r.code === 0 && outputs?.length === 1) ok++;
        else failures.push(`grpc ${r.code} ${r.details}`);
      } else {
        const res = await fetch(`${server.url}/v2/models/cls/infer`, {
          method: 'POST',
          body: body.data,
          headers: { 'Inference-Header-Content-Length': String(body.header.byteLength) },
        });
        const text = await res.text();
        if (res.status === 200 && text.includes('"outputs"')) ok++;
        else failures.push(`rest ${res.status} ${text}`);
      }
    }
  };
  const running = Promise.all([loop(true), loop(false), loop(true), loop(false)]);
  return {
    async finish() {
      stop = true;
      await running;
      return { ok, failures };
    },
  };
}

const grpcCases: [string, object, number, string][] = [
  [
    'unknown model',
    { model_name: 'nope', inputs: [x([1, 3, 48, 192])], raw_input_contents: [image(1)] },
    grpc.status.NOT_FOUND,
    'nope',
  ],
  [
    'unknown version',
    { model_version: '42', inputs: [x([1, 3, 48, 192])], raw_input_contents: [image(1)] },
    grpc.status.NOT_FOUND,
    '42',
  ],
  [
    'wrong shape',
    { inputs: [x([1, 3, 48])], raw_input_contents: [image(1)] },
    grpc.status.INVALID_ARGUMENT,
    'input "x": expected shape',
  ],
  [
    'wrong datatype',
    { inputs: [x([1, 3, 48, 192], 'INT32')], raw_input_contents: [image(1)] },
    grpc.status.INVALID_ARGUMENT,
    'input "x": expected datatype FP32, got INT32',
  ],
  [
    'byte count',
    { inputs: [x([1, 3, 48, 192])], raw_input_contents: [image(1).subarray(4)] },
    grpc.status.INVALID_ARGUMENT,
    'input "x": shape [1,3,48,192] of FP32 needs 110592 bytes, got 110588',
  ],
  [
    'unknown output',
    { inputs: [x([1, 3, 48, 192])], raw_input_contents: [image(1)], outputs: [{ name: 'logits' }] },
    grpc.status.INVALID_ARGUMENT,
    'output "logits"',
  ],
  [
    'unknown input',
    { inputs: [{ ...x([1, 3, 48, 192]), name: 'image' }], raw_input_contents: [image(1)] },
    grpc.status.INVALID_ARGUMENT,
    'input "image"',
  ],
  [
    'BYTES datatype',
    { inputs: [x([1, 3, 48, 192], 'BYTES')], raw_input_contents: [image(1)] },
    grpc.status.INVALID_ARGUMENT,
    'BYTES is not supported',
  ],
  [
    'oversized message',
    { inputs: [x([12, 3, 48, 192])], raw_input_contents: [image(12)] },
    grpc.status.RESOURCE_EXHAUSTED,
    '',
  ],
];

const restCases: [string, string, Buffer | string, Record<string, string>, number, string][] = [
  [
    'unknown model',
    '/v2/models/nope/infer',
    JSON.stringify({ inputs: [{ ...x([1, 1]), data: [1] }] }),
    {},
    404,
    'nope',
  ],
  [
    'unknown version',
    '/v2/models/cls/versions/42/infer',
    JSON.stringify({ inputs: [{ ...x([1, 1]), data: [1] }] }),
    {},
    404,
    '42',
  ],
  ['malformed JSON', '/v2/models/cls/infer', '{"inputs": [{"name": "x",', {}, 400, 'malformed JSON'],
  [
    'wrong shape',
    '/v2/models/cls/infer',
    JSON.stringify({ inputs: [{ ...x([1, 3, 48]), data: [] }] }),
    {},
    400,
    'input "x": expected shape',
  ],
  [
    'wrong datatype',
    '/v2/models/cls/infer',
    JSON.stringify({ inputs: [{ ...x([1, 3, 48, 192], 'FP64'), data: [] }] }),
    {},
    400,
    'input "x": expected datatype FP32, got FP64',
  ],
  [
    'element count',
    '/v2/models/cls/infer',
    JSON.stringify({ inputs: [{ ...x([1, 3, 48, 192]), data: [1, 2, 3] }] }),
    {},
    400,
    'input "x": shape [1,3,48,192] needs 27648 elements, got 3',
  ],
  [
    'unknown output',
    '/v2/models/cls/infer',
    JSON.stringify({
      inputs: [{ ...x([1, 3, 48, 192]), data: new Array(SAMPLE).fill(0) }],
      outputs: [{ name: 'logits' }],
    }),
    {},
    400,
    'output "logits"',
  ],
];

describe('bad input while good requests run', () => {
  it('answers every bad request with the right status naming the problem, and every good request succeeds', async () => {
    const good = goodLoop();
    const problems: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [label, request, code, fragment] of grpcCases) {
        const r = await client.call('ModelInfer', { model_name: 'cls', ...request });
        if (r.code !== code || !r.details.includes(fragment))
          problems.push(`grpc ${label}: got ${r.code} ${r.details}`);
      }
      for (const [label, path, body, headers, status, fragment] of restCases) {
        const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers });
        const text = await res.text();
        let error = '';
        try {
          error = (JSON.parse(text) as { error: string }).error;
        } catch {
          error = `(not JSON) ${text}`;
        }
        if (res.status !== status || !error.includes(fragment))
          problems.push(`rest ${label}: got ${res.status} ${error}`);
      }
      // Binary-extension mistakes: a body that ends before binary_data_size says, and a header length past the body.
      const header = Buffer.from(
        JSON.stringify({ inputs: [{ ...x([1, 3, 48, 192]), parameters: { binary_data_size: SAMPLE * 4 } }] }),
      );
      const truncated = await fetch(`${server.url}/v2/models/cls/infer`, {
        method: 'POST',
        body: Buffer.concat([header, image(1).subarray(0, 1000)]),
        headers: { 'Inference-Header-Content-Length': String(header.byteLength) },
      });
      const truncatedError = ((await truncated.json()) as { error: string }).error;
      if (
        truncated.status !== 400 ||
        !truncatedError.startsWith('input "x": binary_data_size 110592 runs past the end')
      ) {
        problems.push(`rest truncated binary: ${truncated.status} ${truncatedError}`);
      }
      const oversized = await fetch(`${server.url}/v2/models/cls/infer`, {
        method: 'POST',
        body: Buffer.concat([header, image(12)]),
        headers: { 'Inference-Header-Content-Length': String(header.byteLength) },
      });
      const oversizedError = ((await oversized.json()) as { error: string }).error;
      if (oversized.status !== 413 || !oversizedError.includes(`limit of ${MAX_MESSAGE}`)) {
        problems.push(`rest oversized: ${oversized.status} ${oversizedError}`);
      }
    }
    const { ok, failures } = await good.finish();
    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(10);
    // Still alive and ready afterwards.
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});
