// The gRPC-over-HTTP/2 layer as a raw HTTP/2 client sees it: what a conforming client never sends
// (wrong method, content type, encoding, timeout, message count) is answered with the status the gRPC
// specification asks for, a request however it is chunked is read whole, and a graceful close lets
// a call in flight finish. grpc-js and tritonclient cover the well-behaved paths elsewhere.
import { type ClientHttp2Session, connect, type OutgoingHttpHeaders } from 'node:http2';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSettings } from '../../../server/config.ts';
import { frame } from '../../../server/grpc/frames.ts';
import { createGrpcServer, loadServiceDefinition } from '../../../server/grpc/grpc-server.ts';
import type { TransportServer } from '../../../server/protocol/transport-options.ts';
import { addOneModel, type FakeModel, FakeRegistry } from '../protocol/fake-registry.ts';

const definition = loadServiceDefinition();
function method(name: string) {
  const m = definition[name];
  if (m === undefined) throw new Error(`no method ${name}`);
  return m;
}
const service = { ServerLive: method('ServerLive'), ModelInfer: method('ModelInfer') };
const PATH = (method: string) => `/inference.GRPCInferenceService/${method}`;

interface Answer {
  status: number;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  body: Buffer;
}

function post(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  chunks: readonly Buffer[],
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let head: Record<string, unknown> = {};
    let tail: Record<string, unknown> = {};
    const body: Buffer[] = [];
    stream.on('response', (h) => {
      head = h;
    });
    stream.on('trailers', (t) => {
      tail = t;
    });
    stream.on('data', (c: Buffer) => body.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const field = (name: string) => (tail[name] ?? head[name]) as string | undefined;
      const message = field('grpc-message');
      resolve({
        status: head[':status'] as number,
        grpcStatus: field('grpc-status'),
        grpcMessage: message === undefined ? undefined : decodeURIComponent(message),
        body: Buffer.concat(body),
      });
    });
    const write = (i: number) => {
      if (i === chunks.length) {
        stream.end();
        return;
      }
      stream.write(chunks[i], () => write(i + 1));
    };
    write(0);
  });
}

const live = () => frame(service.ServerLive.requestSerialize({}));
const infer = (request: object) => frame(service.ModelInfer.requestSerialize(request));
const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);

let server: TransportServer;
let port: number;
let session: ClientHttp2Session;

beforeAll(async () => {
  const settings = serverSettings({
    model_name: 'add_one',
    model_path: '/unused',
    grpc_bind_address: '127.0.0.1',
    max_message_bytes: 64 * 1024,
  });
  server = createGrpcServer({
    registry: new FakeRegistry([addOneModel(1), addOneModel(2, 300)]),
    settings,
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  port = await server.listen();
  session = connect(`http://127.0.0.1:${port}`);
});

afterAll(async () => {
  session.close();
  await server.close(false);
});

describe('gRPC over HTTP/2', () => {
  it('reads a request written one byte at a time', async () => {
    const request = infer({
      model_name: 'add_one',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
      raw_input_contents: [f32([1, 2, 3, 4])],
    });
    const bytes = [...request].map((b) => Buffer.from([b]));
    const answer = await post(session, { ':path': PATH('ModelInfer') }, bytes);
    expect(answer.grpcStatus).toBe('0');
    const response = service.ModelInfer.responseDeserialize(answer.body.subarray(5)) as {
      raw_output_contents: Buffer[];
    };
    expect([...new Float32Array(new Uint8Array(response.raw_output_contents[0] ?? []).buffer)]).toEqual([
      2, 3, 4, 5,
    ]);
  });

  it('answers an unknown method with UNIMPLEMENTED', async () => {
    const answer = await post(session, { ':path': PATH('ModelStreamInfer') }, [live()]);
    expect(answer.status).toBe(200);
    expect(answer.grpcStatus).toBe('12');
    expect(answer.grpcMessage).toContain('unknown method /inference.GRPCInferenceService/ModelStreamInfer');
  });

  it('refuses a method other than POST with 405 and a content type other than gRPC with 415', async () => {
    const get = await post(session, { ':method': 'GET', ':path': PATH('ServerLive') }, []);
    expect(get.status).toBe(405);
    const json = await post(session, { ':path': PATH('ServerLive'), 'content-type': 'application/json' }, [
      live(),
    ]);
    expect(json.status).toBe(415);
  });

  it('answers a message encoding it does not accept with UNIMPLEMENTED naming the ones it does', async () => {
    const answer = await post(session, { ':path': PATH('ServerLive'), 'grpc-encoding': 'snappy' }, [live()]);
    expect(answer.grpcStatus).toBe('12');
    expect(answer.grpcMessage).toBe(
      'message encoding snappy is not supported; use one of identity, gzip, deflate',
    );
  });

  it('answers a malformed grpc-timeout with INVALID_ARGUMENT', async () => {
    const answer = await post(session, { ':path': PATH('ServerLive'), 'grpc-timeout': '5 seconds' }, [
      live(),
    ]);
    expect(answer.grpcStatus).toBe('3');
    expect(answer.grpcMessage).toBe('invalid grpc-timeout header "5 seconds"');
  });

  it('refuses a unary call with no message, two messages, or a message cut short', async () => {
    const none = await post(session, { ':path': PATH('ServerLive') }, []);
    expect(none.grpcStatus).toBe('3');
    expect(none.grpcMessage).toContain('takes exactly one whole request message, got 0');
    const two = await post(session, { ':path': PATH('ServerLive') }, [live(), live()]);
    expect(two.grpcMessage).toContain('got 2');
    const short = await post(session, { ':path': PATH('ModelInfer') }, [
      infer({ model_name: 'add_one' }).subarray(0, 7),
    ]);
    expect(short.grpcMessage).toContain('got 0 and a partial one');
  });

  it('answers bytes that are not a protobuf message with INVALID_ARGUMENT naming the method', async () => {
    const answer = await post(session, { ':path': PATH('ModelInfer') }, [frame(Buffer.from([0x0a, 0xff]))]);
    expect(answer.grpcStatus).toBe('3');
    expect(answer.grpcMessage).toMatch(/^cannot parse the ModelInfer request message: /);
  });

  it('percent-encodes a status message that is not plain ASCII', async () => {
    const answer = await post(session, { ':path': PATH('ModelInfer') }, [infer({ model_name: 'größe' })]);
    expect(answer.grpcStatus).toBe('5');
    expect(answer.grpcMessage).toContain('"größe"');
  });
});

/** A server of its own for a test that stops it or watches one model. */
async function ownServer(model: FakeModel): Promise<{ own: TransportServer; port: number }> {
  const own = createGrpcServer({
    registry: new FakeRegistry([model]),
    settings: serverSettings({
      model_name: 'add_one',
      model_path: '/unused',
      grpc_bind_address: '127.0.0.1',
    }),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  return { own, port: await own.listen() };
}

describe('request messages in flight', () => {
  it('keeps each call its own request while many wait on a slow model (pooled buffers are not reused early)', async () => {
    const { own, port: ownPort } = await ownServer(addOneModel(1, 50));
    const client = connect(`http://127.0.0.1:${ownPort}`);
    try {
      const one = async (i: number) => {
        const request = infer({
          model_name: 'add_one',
          inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
          raw_input_contents: [f32([i, i, i, i])],
          // 200 kB of padding: the message spans several socket reads, so it is reassembled into a
          // pooled buffer instead of being read in place.
          parameters: { padding: { string_param: 'p'.repeat(200_000) } },
        });
        const chunks = [request];
        const answer = await post(client, { ':path': PATH('ModelInfer') }, chunks);
        expect(answer.grpcStatus).toBe('0');
        const response = service.ModelInfer.responseDeserialize(answer.body.subarray(5)) as {
          raw_output_contents: Buffer[];
        };
        return [...new Float32Array(new Uint8Array(response.raw_output_contents[0] ?? []).buffer)];
      };
      // Staggered 5 ms apart: each call arrives while earlier ones still wait in the 50 ms model,
      // which is when a buffer handed back too early would be reused under them.
      const pending = [];
      for (let i = 0; i < 16; i++) {
        pending.push(one(i));
        await new Promise((r) => setTimeout(r, 5));
      }
      const answers = await Promise.all(pending);
      expect(answers).toEqual(Array.from({ length: 16 }, (_, i) => [i + 1, i + 1, i + 1, i + 1]));
    } finally {
      client.destroy();
      await own.close(false);
    }
  });
});

describe('cancellation', () => {
  it('aborts the inference when the client resets the stream, and keeps serving', async () => {
    const reasons: unknown[] = [];
    const slow = addOneModel(1, 5000);
    const original = slow.infer.bind(slow);
    slow.infer = (inputs, options) => {
      options?.signal?.addEventListener('abort', () => reasons.push(options.signal?.reason));
      return original(inputs, options);
    };
    const { own, port: ownPort } = await ownServer(slow);
    const client = connect(`http://127.0.0.1:${ownPort}`);
    try {
      const stream = client.request({
        ':method': 'POST',
        ':path': PATH('ModelInfer'),
        'content-type': 'application/grpc',
      });
      stream.on('error', () => {});
      stream.end(
        infer({
          model_name: 'add_one',
          inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
          raw_input_contents: [f32([0, 0, 0, 0])],
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(slow.calls).toBe(1);
      stream.close(0x8); // RST_STREAM CANCEL, as a gRPC client cancelling a call sends
      const deadline = Date.now() + 2000;
      while (reasons.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(String(reasons[0])).toContain('request cancelled by the client');
      const answer = await post(client, { ':path': PATH('ServerLive') }, [live()]);
      expect(answer.grpcStatus).toBe('0');
    } finally {
      client.destroy();
      await own.close(false);
    }
  });
});

describe('graceful close', () => {
  it('lets a call in flight answer, then closes the connection', async () => {
    const { own, port: ownPort } = await ownServer(addOneModel(1, 300));
    const client = connect(`http://127.0.0.1:${ownPort}`);
    try {
      const pending = post(client, { ':path': PATH('ModelInfer') }, [
        infer({
          model_name: 'add_one',
          inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
          raw_input_contents: [f32([0, 0, 0, 0])],
        }),
      ]);
      await new Promise((r) => setTimeout(r, 100));
      const closed = own.close(true);
      const answer = await pending;
      expect(answer.grpcStatus).toBe('0');
      await closed;
      await expect(
        new Promise((resolve, reject) => {
          const late = connect(`http://127.0.0.1:${ownPort}`);
          late.on('error', reject);
          late.on('connect', () => {
            late.close();
            resolve('connected');
          });
        }),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      client.destroy();
      await own.close(false);
    }
  });
});
