// A minimal grpc-js client for inference.GRPCInferenceService from proto/inference.proto — for the
// bad-input suite, which must send requests that well-behaved clients (tritonclient) refuse to build.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, PROTO_PATH } from '../../../server/grpc/grpc-server.ts';

type Callback = (error: grpc.ServiceError | null, value: Record<string, unknown>) => void;
type Client = grpc.Client & Record<string, (req: unknown, options: grpc.CallOptions, cb: Callback) => void>;

export interface Outcome {
  readonly code: number;
  readonly details: string;
  readonly value: Record<string, unknown> | undefined;
}

export class InferenceClient {
  readonly #client: Client;

  constructor(address: string) {
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS));
    const inference = pkg.inference as Record<string, unknown>;
    const Service = inference.GRPCInferenceService as new (
      address: string,
      credentials: grpc.ChannelCredentials,
      options: object,
    ) => Client;
    this.#client = new Service(address, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
  }

  /** Calls a method; resolves with the status code (0 = OK), details and the answer. */
  call(method: string, request: unknown, deadlineMs = 30_000): Promise<Outcome> {
    return new Promise((resolve) => {
      const fn = this.#client[method];
      if (fn === undefined) throw new Error(`no method ${method}`);
      fn.call(this.#client, request, { deadline: Date.now() + deadlineMs }, (error, value) => {
        if (error) resolve({ code: error.code, details: error.details, value: undefined });
        else resolve({ code: grpc.status.OK, details: '', value });
      });
    });
  }

  close(): void {
    this.#client.close();
  }
}

export { grpc };
