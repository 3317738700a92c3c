// The gRPC server's HTTP/2 receive windows, as a plain HTTP/2 client sees them: a client may send
// a large request tensor at once instead of in 64 KiB bursts.
import { connect } from 'node:http2';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSettings } from '../../../server/config.ts';
import { createGrpcServer, FLOW_WINDOW_BYTES } from '../../../server/grpc/grpc-server.ts';
import type { TransportServer } from '../../../server/protocol/transport-options.ts';
import { addOneModel, FakeRegistry } from '../protocol/fake-registry.ts';

/** Node's (and the HTTP/2 spec's) default window. */
const DEFAULT_WINDOW = 65_535;

let server: TransportServer;
let port: number;
const warnings: string[] = [];

beforeAll(async () => {
  const settings = serverSettings({
    model_name: 'add_one',
    model_path: '/unused',
    grpc_bind_address: '127.0.0.1',
  });
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  server = createGrpcServer({ registry: new FakeRegistry([addOneModel(1)]), settings, logger, port: 0 });
  port = await server.listen();
});

afterAll(async () => {
  await server.close(false);
});

describe('gRPC HTTP/2 flow control', () => {
  it('opens the stream and connection windows well past the 64 KiB default', async () => {
    const session = connect(`http://127.0.0.1:${port}`);
    try {
      const settings = await new Promise<{ initialWindowSize?: number }>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.initialWindowSize).toBe(FLOW_WINDOW_BYTES);
      // The connection window grows by a WINDOW_UPDATE the server sends right after its settings.
      const deadline = Date.now() + 2000;
      while ((session.state.remoteWindowSize ?? 0) <= DEFAULT_WINDOW && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(session.state.remoteWindowSize).toBe(FLOW_WINDOW_BYTES);
    } finally {
      session.close();
    }
    expect(warnings).toEqual([]);
  });
});
