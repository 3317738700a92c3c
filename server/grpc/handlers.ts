// The GRPCInferenceService methods. Every error answer is a gRPC status from the ServerError
// catalogue with a message naming the problem; nothing a client sends can throw past a handler.
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { GrpcStatus, type ServerError, toServerError } from '../errors.ts';
import {
  buildInputs,
  lookupModel,
  pickOutputs,
  rejectClassification,
  resolveOutputs,
} from '../protocol/infer-request.ts';
import { modelConfig, modelMetadata } from '../protocol/metadata.ts';
import type { ServerMetrics } from '../protocol/metrics-port.ts';
import { RequestContext } from '../protocol/request-context.ts';
import type { ServerInfo } from '../protocol/transport-options.ts';
import type { ModelRegistry } from '../repository/types.ts';
import { decodeGrpcInputs, encodeGrpcResponse } from './infer-codec.ts';
import type { WireInferRequest, WireNameVersion } from './wire-types.ts';

export interface HandlerDeps {
  readonly registry: ModelRegistry;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly serverInfo: ServerInfo;
  /** Deadline for requests that carry none (0 = none). */
  readonly defaultTimeoutMs: number;
}

type Unary = grpc.handleUnaryCall<unknown, unknown>;

function statusOf(error: ServerError): Partial<grpc.StatusObject> {
  return { code: error.grpcStatus, details: error.message };
}

function deadlineMs(call: grpc.ServerUnaryCall<unknown, unknown>, fallbackMs: number): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (Number.isFinite(at)) return Math.max(1, at - Date.now());
  return fallbackMs > 0 ? fallbackMs : Number.POSITIVE_INFINITY;
}

export function makeHandlers(deps: HandlerDeps): grpc.UntypedServiceImplementation {
  const { registry, logger, metrics, serverInfo } = deps;

  /** Wraps a synchronous metadata-style method: result or error status. */
  const simple =
    (fn: (req: WireNameVersion) => unknown): Unary =>
    (call, callback) => {
      try {
        callback(null, fn(call.request as WireNameVersion));
      } catch (error: unknown) {
        const e = toServerError(error);
        logger.debug({ err: e, method: call.getPath() }, 'request rejected');
        callback(statusOf(e));
      }
    };

  const modelReady = (req: WireNameVersion): boolean => {
    try {
      return lookupModel(registry, req.name, req.version).state === 'AVAILABLE';
    } catch (error: unknown) {
      // Like Triton: an unknown or unavailable model is simply not ready (tritonclient's
      // is_model_ready answers False instead of raising).
      const e = toServerError(error);
      if (e.grpcStatus === GrpcStatus.NOT_FOUND || e.code === 'OVF_ERR_MODEL_UNAVAILABLE') return false;
      throw e;
    }
  };

  const ModelInfer: Unary = (call, callback) => {
    const ctx = new RequestContext('grpc', metrics, deadlineMs(call, deps.defaultTimeoutMs));
    call.on('cancelled', () => ctx.cancel());
    const req = call.request as WireInferRequest;
    const run = async () => {
      const model = ctx.bind(lookupModel(registry, req.model_name, req.model_version));
      const inputs = buildInputs(model, decodeGrpcInputs(req));
      const outputs = resolveOutputs(
        model,
        req.outputs.map((o) => {
          const classification = o.parameters.classification;
          rejectClassification(o.name, classification?.int64_param ?? classification?.uint64_param);
          return { name: o.name, options: null };
        }),
        null,
      );
      const results = await ctx.infer(model, inputs);
      return encodeGrpcResponse(
        model,
        req.id,
        pickOutputs(results, outputs).map(({ output, tensor }) => ({ name: output.name, tensor })),
      );
    };
    run().then(
      (response) => {
        ctx.finish(true);
        callback(null, response);
      },
      (error: unknown) => {
        ctx.finish(false);
        const e = toServerError(error);
        if (e.httpStatus >= 500) logger.error({ err: e, model: req.model_name }, 'inference failed');
        else logger.debug({ err: e, model: req.model_name }, 'inference rejected');
        callback(statusOf(e));
      },
    );
  };

  return {
    ServerLive: simple(() => ({ live: true })),
    ServerReady: simple(() => ({ ready: registry.ready() })),
    ModelReady: simple((req) => ({ ready: modelReady(req) })),
    ServerMetadata: simple(() => ({
      name: serverInfo.name,
      version: serverInfo.version,
      extensions: [...serverInfo.extensions],
    })),
    ModelMetadata: simple((req) =>
      modelMetadata(registry, lookupModel(registry, req.name, req.version), req.version !== ''),
    ),
    ModelConfig: simple((req) => ({ config: modelConfig(lookupModel(registry, req.name, req.version)) })),
    ModelInfer,
  };
}
