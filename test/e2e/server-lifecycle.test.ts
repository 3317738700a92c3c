// ovfleet-server as a user runs it: a child process with real OpenVINO, talked to over HTTP.
// Start-up errors and exit codes, settings reaching OpenVINO, /metrics, SIGTERM draining.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeAddModel, writeSlowModel } from '../support/models.ts';
import { httpCall, inferJson, metricValue } from '../support/rest-client.ts';
import { runServer, SERVER_BIN } from '../support/server-process.ts';
import { childEnv } from '../support/tools.ts';

let root: string;
let addModel: string; // base path with version 1: output = input + 1, input/output [1,4] f32

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ovf-lifecycle-'));
  addModel = join(root, 'add');
  await mkdir(join(addModel, '1'), { recursive: true });
  await writeAddModel(join(addModel, '1'), { name: 'model', constant: 1 });
});

/** Runs the server to completion (start-up failures) and returns its exit code and stderr. */
function runToExit(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], {
      env: childEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const ones = { name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] };

describe('start-up errors', () => {
  it('a bad flag exits 2 with a message naming the flag and no stack trace', async () => {
    const badValue = await runToExit(['--model_name', 'm', '--model_path', addModel, '--nireq', 'many']);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('--nireq');
    expect(badValue.stderr).not.toMatch(/\n\s+at /);
    const unknown = await runToExit(['--model_name', 'm', '--model_path', addModel, '--grpc_threads', '4']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--grpc_threads: unknown flag');
    const policy = await runToExit([
      '--model_name',
      'm',
      '--model_path',
      addModel,
      '--model_version_policy',
      '{"newest":{}}',
    ]);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('--model_version_policy');
  });

  it('target device HDDL exits 1 naming the device and listing the available ones', async () => {
    const result = await runToExit([
      '--model_name',
      'm',
      '--model_path',
      addModel,
      '--target_device',
      'HDDL',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HDDL is not available; available devices: .*CPU/);
  });

  it('a model path with no model exits 1 saying so', async () => {
    const result = await runToExit(['--model_name', 'm', '--model_path', join(root, 'missing')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(root, 'missing')} does not exist`);
  });
});

describe('settings reach OpenVINO; /metrics', () => {
  it('plugin_config and nireq are applied, read back and exported; metrics count requests', async () => {
    const server = await runServer([
      '--model_name',
      'm',
      '--model_path',
      addModel,
      '--nireq',
      '3',
      '--plugin_config',
      '{"NUM_STREAMS":2,"INFERENCE_NUM_THREADS":2,"PERFORMANCE_HINT":"THROUGHPUT"}',
    ]);
    try {
      const loaded = server.logs.find((l) => l.msg === 'model version loaded');
      expect(loaded).toMatchObject({
        model: 'm',
        version: 1,
        nireq: 3,
        properties: { NUM_STREAMS: '2', INFERENCE_NUM_THREADS: '2', PERFORMANCE_HINT: 'THROUGHPUT' },
      });
      const properties = (loaded?.properties ?? {}) as Record<string, string>;
      expect(Number(properties.OPTIMAL_NUMBER_OF_INFER_REQUESTS)).toBeGreaterThan(0);

      for (let i = 0; i < 5; i++) {
        const reply = await inferJson(server.url, 'm', ones);
        expect(reply.status).toBe(200);
        expect(reply.data).toEqual([2, 3, 4, 5]);
      }
      // a request refused by validation counts as a failure of the model it named
      const badShape = await inferJson(server.url, 'm', { ...ones, shape: [1, 3], data: [1, 2, 3] });
      expect(badShape.status).toBe(400);

      const metrics = await httpCall(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      const text = metrics.body;
      const v1 = 'name="m",version="1"';
      expect(
        metricValue(text, `ovms_requests_success{api="KServe",interface="REST",method="ModelInfer",${v1}}`),
      ).toBe(5);
      expect(
        metricValue(text, `ovms_requests_fail{api="KServe",interface="REST",method="ModelInfer",${v1}}`),
      ).toBe(1);
      expect(metricValue(text, `ovms_request_time_us_count{interface="REST",${v1}}`)).toBe(5); // successes only
      expect(metricValue(text, `ovms_inference_time_us_count{${v1}}`)).toBe(5);
      expect(metricValue(text, `ovms_inference_time_us_sum{${v1}}`)).toBeGreaterThan(0);
      expect(metricValue(text, `ovms_wait_for_infer_req_time_us_count{${v1}}`)).toBe(5);
      expect(metricValue(text, `ovms_current_requests{${v1}}`)).toBe(0);
      expect(metricValue(text, `ovms_streams{${v1}}`)).toBe(2);
      expect(metricValue(text, `ovms_infer_req_queue_size{${v1}}`)).toBe(3);
      expect(metricValue(text, `ovms_infer_req_active{${v1}}`)).toBe(0);
      // request time includes inference time
      expect(metricValue(text, `ovms_request_time_us_sum{interface="REST",${v1}}`)).toBeGreaterThan(
        metricValue(text, `ovms_inference_time_us_sum{${v1}}`) ?? 0,
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('a declared input precision lets clients send UINT8 to a float model', async () => {
    const config = join(root, 'precision.json');
    await writeFile(
      config,
      JSON.stringify({
        model_config_list: [
          { config: { name: 'asis', base_path: addModel } },
          { config: { name: 'u8in', base_path: addModel, input_precision: { input: 'UINT8' } } },
        ],
      }),
    );
    const server = await runServer(['--config_path', config]);
    try {
      const meta = JSON.parse((await httpCall(`${server.url}/v2/models/u8in`)).body) as {
        inputs: { datatype: string }[];
        outputs: { datatype: string }[];
      };
      expect(meta.inputs[0]?.datatype).toBe('UINT8');
      expect(meta.outputs[0]?.datatype).toBe('FP32');
      const u8 = await inferJson(server.url, 'u8in', { ...ones, datatype: 'UINT8', data: [0, 1, 200, 255] });
      expect(u8.status).toBe(200);
      expect(u8.data).toEqual([1, 2, 201, 256]);
      const f32 = await inferJson(server.url, 'asis', { ...ones, datatype: 'UINT8' });
      expect(f32.status).toBe(400); // the undeclared model still wants FP32
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('SIGTERM', () => {
  it('lets in-flight requests finish with 200, refuses new connections, exits 0', async () => {
    const slow = join(root, 'slow', '1');
    await mkdir(slow, { recursive: true });
    await writeSlowModel(slow); // ≈2.7 GFLOP per inference
    const server = await runServer([
      '--model_name',
      'slow',
      '--model_path',
      join(root, 'slow'),
      '--nireq',
      '1',
    ]);
    const agent = new Agent({ keepAlive: true, maxSockets: 6 });
    try {
      const input = {
        name: 'input',
        datatype: 'FP32',
        shape: [64, 512],
        data: new Array<number>(64 * 512).fill(1),
      };
      // time one inference so the test knows the drain takes a while
      const t0 = performance.now();
      expect((await inferJson(server.url, 'slow', input, agent)).status).toBe(200);
      const oneMs = performance.now() - t0;

      const doneAt: number[] = [];
      const inFlight = Array.from({ length: 6 }, () =>
        inferJson(server.url, 'slow', input, agent).then((reply) => {
          doneAt.push(performance.now());
          return reply;
        }),
      );
      await new Promise((r) => setTimeout(r, Math.min(100, oneMs / 2)));
      const killedAt = performance.now();
      server.child.kill('SIGTERM');
      // the listener closes promptly while the queued inferences (6 × one, nireq 1) are still running
      const refused = await new Promise<boolean>((resolve) => {
        const tryOnce = (left: number): void => {
          const socket = connect(server.restPort, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            if (left === 0) resolve(false);
            else setTimeout(() => tryOnce(left - 1), 20);
          });
          socket.once('error', () => resolve(true));
        };
        setTimeout(() => tryOnce(50), 20);
      });
      const stillRunning = server.child.exitCode === null;
      const replies = await Promise.all(inFlight);
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(
        replies.every((r) => r.data.length === 64 * 512 && r.data.every((v) => Math.abs(v - 1) < 1e-3)),
      ).toBe(true);
      // most of the six were still queued or running when SIGTERM landed (nireq 1 runs them one by one)
      expect(doneAt.filter((t) => t > killedAt).length).toBeGreaterThanOrEqual(3);
      expect(refused).toBe(true);
      expect(stillRunning).toBe(true);
      expect(await server.exited).toBe(0);
      expect(server.logs.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['stopping: draining in-flight requests', 'stopped']),
      );
    } finally {
      agent.destroy();
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    }
  });
});
