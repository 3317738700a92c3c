// REST transport against FakeRegistry (no OpenVINO), through Node's fetch and raw sockets.
import { connect } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSettings } from '../../../server/config.ts';
import type { ServerMetrics } from '../../../server/protocol/metrics-port.ts';
import type { TransportServer } from '../../../server/protocol/transport-options.ts';
import { createRestServer } from '../../../server/rest/rest-server.ts';
import { addOneModel, ECHO_TYPES, echoModel, FakeRegistry } from '../protocol/fake-registry.ts';

const finished: { model: string; ok: boolean }[] = [];
const metrics: ServerMetrics = {
  onRequest: (_protocol, model, _version, ok) => finished.push({ model, ok }),
  current: () => {},
  render: async () => 'ovms_requests_success 7\n',
  contentType: 'text/plain; version=0.0.4',
};
let reloads = 0;
let server: TransportServer;
let base = '';
let port = 0;

const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);

beforeAll(async () => {
  const settings = serverSettings({
    model_name: 'add_one',
    model_path: '/unused',
    rest_bind_address: '127.0.0.1',
    max_message_bytes: 64 * 1024,
  });
  server = createRestServer({
    registry: new FakeRegistry([addOneModel(1), addOneModel(2), ...ECHO_TYPES.map(echoModel)]),
    settings,
    logger: pino({ level: 'silent' }),
    metrics,
    port: 0,
    onReload: async () => {
      reloads++;
      return { ok: true, message: 'nothing changed' };
    },
  });
  port = await server.listen();
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => server.close(false));

const infer = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers });

describe('REST health, metadata, metrics, reload', () => {
  it('answers the KServe v2 GET routes', async () => {
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/v2/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${base}/v2`)).json()).toEqual({
      name: 'ovfleet-server',
      version: '0.1.0',
      extensions: ['binary_tensor_data'],
    });
    expect(await (await fetch(`${base}/v2/models/add_one`)).json()).toMatchObject({
      name: 'add_one',
      versions: ['1', '2'],
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
    });
    expect(await (await fetch(`${base}/v2/models/add_one/versions/1`)).json()).toMatchObject({
      versions: ['1'],
    });
    expect((await fetch(`${base}/v2/models/add_one/versions/2/ready`)).status).toBe(200);
    expect(await (await fetch(`${base}/v2/models/add_one/config`)).json()).toMatchObject({
      max_batch_size: 0,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [-1, 4] }],
    });
  });

  it('answers 404 with a JSON error for unknown models, versions and routes', async () => {
    const missing = await fetch(`${base}/v2/models/nope/ready`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "nope" not found' });
    expect((await fetch(`${base}/v2/models/add_one/versions/5`)).status).toBe(404);
    expect((await fetch(`${base}/v3/anything`)).status).toBe(404);
  });

  it('serves /metrics from the metrics port and runs the reload hook', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await res.text()).toBe('ovms_requests_success 7\n');
    const reload = await fetch(`${base}/v1/config/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    expect(await reload.json()).toEqual({ ok: true, message: 'nothing changed' });
    expect(reloads).toBe(1);
  });
});

describe('REST inference', () => {
  it('answers JSON for JSON', async () => {
    const res = await infer(
      '/v2/models/add_one/versions/1/infer',
      JSON.stringify({
        id: 'a',
        inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'a',
      model_name: 'add_one',
      model_version: '1',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 4], data: [2, 3, 4, 5] },
        { name: 'n', datatype: 'INT64', shape: [1], data: [4] },
      ],
    });
    expect(finished.at(-1)).toEqual({ model: 'add_one', ok: true });
  });

  it('speaks the binary-data extension both ways', async () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }],
        outputs: [{ name: 'y', parameters: { binary_data: true } }],
      }),
    );
    const res = await infer('/v2/models/add_one/infer', Buffer.concat([header, f32([0, 0.5, 1, 1.5])]), {
      'Inference-Header-Content-Length': String(header.byteLength),
      'Content-Type': 'application/octet-stream',
    });
    expect(res.status).toBe(200);
    const length = Number(res.headers.get('inference-header-content-length'));
    const body = Buffer.from(await res.arrayBuffer());
    expect(JSON.parse(body.subarray(0, length).toString())).toEqual({
      model_name: 'add_one',
      model_version: '2',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }],
    });
    expect(body.subarray(length).equals(f32([1, 1.5, 2, 2.5]))).toBe(true);
  });

  it('returns every output binary with binary_data_output, FP16 included', async () => {
    const half = Buffer.from([0x00, 0x3c, 0x00, 0x40, 0x00, 0xc0]);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: 'in', shape: [3], datatype: 'FP16', parameters: { binary_data_size: 6 } }],
        parameters: { binary_data_output: true },
      }),
    );
    const res = await infer('/v2/models/echo_f16/infer', Buffer.concat([header, half]), {
      'Inference-Header-Content-Length': String(header.byteLength),
    });
    const length = Number(res.headers.get('inference-header-content-length'));
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(length)
        .equals(half),
    ).toBe(true);
  });

  it('reads booleans and 64-bit integers from JSON exactly', async () => {
    const b = await infer(
      '/v2/models/echo_boolean/infer',
      JSON.stringify({ inputs: [{ name: 'in', shape: [3], datatype: 'BOOL', data: [true, false, true] }] }),
    );
    expect(((await b.json()) as { outputs: { data: unknown }[] }).outputs[0]?.data).toEqual([
      true,
      false,
      true,
    ]);
    const u = await infer(
      '/v2/models/echo_u64/infer',
      JSON.stringify({ inputs: [{ name: 'in', shape: [3], datatype: 'UINT64', data: [[1], [2], [3]] }] }),
    );
    expect(((await u.json()) as { outputs: { data: unknown }[] }).outputs[0]?.data).toEqual([1, 2, 3]);
  });
});

describe('REST bad input', () => {
  const good = { name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] };
  const cases: [string, string, string, number, string][] = [
    ['malformed JSON', '/v2/models/add_one/infer', '{"inputs":[', 400, 'malformed JSON'],
    [
      'wrong shape',
      '/v2/models/add_one/infer',
      JSON.stringify({ inputs: [{ ...good, shape: [4] }] }),
      400,
      'input "x": expected shape [1..8,4], got [4]',
    ],
    [
      'wrong datatype',
      '/v2/models/add_one/infer',
      JSON.stringify({ inputs: [{ ...good, datatype: 'FP64' }] }),
      400,
      'expected datatype FP32, got FP64',
    ],
    [
      'element count',
      '/v2/models/add_one/infer',
      JSON.stringify({ inputs: [{ ...good, data: [1] }] }),
      400,
      'needs 4 elements, got 1',
    ],
    [
      'unknown output',
      '/v2/models/add_one/infer',
      JSON.stringify({ inputs: [good], outputs: [{ name: 'zz' }] }),
      400,
      'output "zz"',
    ],
    [
      'FP16 as JSON',
      '/v2/models/echo_f16/infer',
      JSON.stringify({ inputs: [{ name: 'in', shape: [3], datatype: 'FP16', data: [1, 2, 3] }] }),
      400,
      'input "in": FP16 data must be sent as binary',
    ],
    [
      'unknown model',
      '/v2/models/missing/infer',
      JSON.stringify({ inputs: [good] }),
      404,
      'model "missing" not found',
    ],
    [
      'unknown version',
      '/v2/models/add_one/versions/3/infer',
      JSON.stringify({ inputs: [good] }),
      404,
      'has no version 3',
    ],
  ];

  it.each(cases)('%s → status and a message naming it', async (_label, path, body, status, message) => {
    const res = await infer(path, body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it('rejects a truncated binary body and a bad header length', async () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }],
      }),
    );
    const res = await infer('/v2/models/add_one/infer', Buffer.concat([header, f32([1, 2])]), {
      'Inference-Header-Content-Length': String(header.byteLength),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      'input "x": binary_data_size 16 runs past the end of the body (8 bytes left)',
    );
    const bad = await infer('/v2/models/add_one/infer', header, {
      'Inference-Header-Content-Length': 'lots',
    });
    expect(bad.status).toBe(400);
  });

  it('refuses a body over max_message_bytes with 413, and keeps serving', async () => {
    const res = await infer('/v2/models/add_one/infer', Buffer.alloc(100 * 1024, 32));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain('exceeds the limit of 65536');
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
  });

  it('answers 413 to a chunked body that grows past the limit', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /v2/models/add_one/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const chunk = Buffer.alloc(16 * 1024, 32);
        for (let i = 0; i < 6; i++) socket.write(`${chunk.byteLength.toString(16)}\r\n${chunk}\r\n`);
      });
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text.split('\r\n', 1)[0] ?? '');
        }
      });
      socket.on('error', reject);
    });
    expect(answer).toBe('HTTP/1.1 413 Payload Too Large');
  });
});

describe('REST request compression and unsupported extensions', () => {
  const request = JSON.stringify({
    inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
  });

  it('accepts gzip and deflate bodies', async () => {
    for (const [encoding, body] of [
      ['gzip', gzipSync(request)],
      ['deflate', deflateSync(request)],
    ] as const) {
      const res = await infer('/v2/models/add_one/versions/1/infer', body, { 'Content-Encoding': encoding });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { outputs: { data: unknown }[] }).outputs[0]?.data).toEqual([2, 3, 4, 5]);
    }
  });

  it('names a corrupt or unknown encoding and a body that inflates past the limit', async () => {
    const corrupt = await infer('/v2/models/add_one/infer', Buffer.from('not gzip'), {
      'Content-Encoding': 'gzip',
    });
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: string }).error).toMatch(/^malformed gzip request body/);
    const br = await infer('/v2/models/add_one/infer', request, { 'Content-Encoding': 'br' });
    expect(((await br.json()) as { error: string }).error).toBe(
      'unsupported Content-Encoding "br" (use gzip or deflate)',
    );
    const bomb = await infer('/v2/models/add_one/infer', gzipSync(Buffer.alloc(1024 * 1024, 32)), {
      'Content-Encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
  });

  it('refuses the classification extension instead of answering something else', async () => {
    const res = await infer(
      '/v2/models/add_one/infer',
      JSON.stringify({
        inputs: JSON.parse(request).inputs,
        outputs: [{ name: 'y', parameters: { classification: 2 } }],
      }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(
      'output "y": the classification extension (class_count 2)',
    );
  });
});

describe('REST request deadline', () => {
  it('ends an inference at request_timeout_ms with 504 and the model sees the abort', async () => {
    const slow = addOneModel(1, 2000);
    let aborted = false;
    const watched = {
      ...slow,
      inputs: slow.inputs,
      outputs: slow.outputs,
      infer: (inputs: Parameters<typeof slow.infer>[0], options?: Parameters<typeof slow.infer>[1]) => {
        options?.signal?.addEventListener('abort', () => {
          aborted = true;
        });
        return slow.infer(inputs, options);
      },
    };
    const registry = new FakeRegistry([slow]);
    registry.get = () => watched;
    const timed = createRestServer({
      registry,
      settings: serverSettings({
        model_name: 'add_one',
        model_path: '/unused',
        rest_bind_address: '127.0.0.1',
        request_timeout_ms: 100,
      }),
      logger: pino({ level: 'silent' }),
      port: 0,
    });
    const timedPort = await timed.listen();
    try {
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${timedPort}/v2/models/add_one/infer`, {
        method: 'POST',
        body: JSON.stringify({
          inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
        }),
      });
      expect(res.status).toBe(504);
      expect(((await res.json()) as { error: string }).error).toBe('deadline of 100 ms exceeded');
      expect(Date.now() - started).toBeLessThan(1500);
      expect(aborted).toBe(true);
    } finally {
      await timed.close(false);
    }
  });
});

describe('REST request bodies in flight', () => {
  it('keeps each request its own body while many wait on a slow model (pooled buffers are not reused early)', async () => {
    const own = createRestServer({
      registry: new FakeRegistry([addOneModel(1, 50)]),
      settings: serverSettings({
        model_name: 'add_one',
        model_path: '/unused',
        rest_bind_address: '127.0.0.1',
      }),
      logger: pino({ level: 'silent' }),
      port: 0,
    });
    const ownBase = `http://127.0.0.1:${await own.listen()}`;
    try {
      const header = Buffer.from(
        JSON.stringify({
          inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }],
          outputs: [{ name: 'y', parameters: { binary_data: true } }],
        }),
      );
      const one = async (i: number) => {
        const res = await fetch(`${ownBase}/v2/models/add_one/infer`, {
          method: 'POST',
          body: Buffer.concat([header, f32([i, i, i, i])]),
          headers: {
            'Inference-Header-Content-Length': String(header.byteLength),
            'Content-Type': 'application/octet-stream',
          },
        });
        const body = Buffer.from(await res.arrayBuffer());
        const length = Number(res.headers.get('inference-header-content-length'));
        return [...new Float32Array(new Uint8Array(body.subarray(length)).buffer)];
      };
      // Staggered 5 ms apart: each request arrives while earlier ones still wait in the 50 ms model,
      // which is when a buffer handed back too early would be reused under them.
      const pending = [];
      for (let i = 0; i < 16; i++) {
        pending.push(one(i));
        await new Promise((r) => setTimeout(r, 5));
      }
      const answers = await Promise.all(pending);
      expect(answers).toEqual(Array.from({ length: 16 }, (_, i) => [i + 1, i + 1, i + 1, i + 1]));
    } finally {
      await own.close(false);
    }
  });
});
