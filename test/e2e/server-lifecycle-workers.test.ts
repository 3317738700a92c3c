// --grpc_workers / --rest_workers > 1: protocol work runs in several worker processes sharing the
// ports, while the primary keeps the one infer-request pool per model. Proves that requests over
// several connections are served by more than one worker process, each burning its own CPU time,
// over both REST and gRPC; and that SIGTERM still drains and exits 0.
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { LOADER_OPTIONS, PROTO_PATH } from '../../server/grpc/grpc-server.ts';
import { encodeValues, writeAddModel } from '../support/models.ts';
import { httpCall, inferJson, metricValue } from '../support/rest-client.ts';
import { runServer } from '../support/server-process.ts';

/** CPU time (user + system, in clock ticks) a process has used, from /proc (Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

type Unary = (
  request: unknown,
  callback: (error: grpc.ServiceError | null, response: unknown) => void,
) => void;

function grpcClient(port: number): grpc.Client & Record<string, Unary> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS)) as unknown as {
    inference: { GRPCInferenceService: grpc.ServiceClientConstructor };
  };
  return new pkg.inference.GRPCInferenceService(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  ) as unknown as grpc.Client & Record<string, Unary>;
}

function call<T>(client: Record<string, Unary>, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response as T)));
  });
}

describe('protocol workers', () => {
  it('spreads connections over worker processes for REST and gRPC, one pool in the primary', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ovf-workers-'));
    await mkdir(join(root, 'm', '1'), { recursive: true });
    // a wide input makes JSON decoding in the workers the dominant cost
    const width = 32_768;
    await writeAddModel(join(root, 'm', '1'), { name: 'model', constant: 1, shape: [1, width] });
    const server = await runServer([
      '--model_name',
      'm',
      '--model_path',
      join(root, 'm'),
      '--rest_workers',
      '2',
      '--grpc_workers',
      '2',
      '--nireq',
      '2',
    ]);
    const workerPids = server.logs.filter((l) => l.msg === 'worker listening').map((l) => Number(l.pid));
    const primaryPid = server.child.pid ?? 0;
    try {
      expect(server.logs.find((l) => l.msg === 'ready')).toMatchObject({ workers: 2 });
      expect(new Set(workerPids).size).toBe(2);
      expect(workerPids).not.toContain(primaryPid);
      const before = await Promise.all(workerPids.map(cpuTicks));

      // REST: 8 connections, 10 requests each
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const data = new Array<number>(width).fill(0.5);
      const rest = await Promise.all(
        Array.from({ length: 80 }, () =>
          inferJson(server.url, 'm', { name: 'input', datatype: 'FP32', shape: [1, width], data }, agent),
        ),
      );
      expect(rest.every((r) => r.status === 200 && r.data[0] === 1.5 && r.data.length === width)).toBe(true);
      agent.destroy();

      // gRPC: two channels (grpc-js keeps one connection per channel), raw tensors
      const clients = [grpcClient(server.grpcPort), grpcClient(server.grpcPort)];
      const raw = Buffer.from(encodeValues('f32', new Array<number>(width).fill(2)));
      const replies = await Promise.all(
        clients.flatMap((client) =>
          Array.from({ length: 5 }, () =>
            call<{ model_version: string; raw_output_contents: Buffer[] }>(client, 'ModelInfer', {
              model_name: 'm',
              inputs: [{ name: 'input', datatype: 'FP32', shape: [1, width] }],
              raw_input_contents: [raw],
            }),
          ),
        ),
      );
      for (const reply of replies) {
        const out = reply.raw_output_contents[0];
        expect(out?.length).toBe(width * 4);
        expect(out?.readFloatLE(0)).toBe(3);
      }
      const ready = await call<{ ready: boolean }>(clients[0] ?? {}, 'ServerReady', {});
      expect(ready.ready).toBe(true);
      for (const client of clients) client.close();

      const after = await Promise.all(workerPids.map(cpuTicks));
      // both workers did protocol work (JSON and protobuf decoding happen there, not in the primary)
      expect(after.every((ticks, i) => ticks > (before[i] ?? 0))).toBe(true);

      const metrics = (await httpCall(`${server.url}/metrics`)).body;
      const labels = 'method="ModelInfer",name="m",version="1"';
      expect(metricValue(metrics, `ovms_requests_success{api="KServe",interface="REST",${labels}}`)).toBe(80);
      expect(metricValue(metrics, `ovms_requests_success{api="KServe",interface="gRPC",${labels}}`)).toBe(10);
      expect(metricValue(metrics, 'ovms_infer_req_queue_size{name="m",version="1"}')).toBe(2);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const stopped = server.logs.find((l) => l.msg === 'workers stopped') as
      | { served: { pid: number; requests: number }[] }
      | undefined;
    expect(stopped?.served).toHaveLength(2);
    // every worker served some of the 90 requests
    expect(stopped?.served.every((w) => w.requests > 0)).toBe(true);
    expect(stopped?.served.reduce((n, w) => n + w.requests, 0)).toBe(90);
  });
});
