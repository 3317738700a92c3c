// The GRPCInferenceService methods. Every error answer is a gRPC status from the ServerError
// catalogue with a message naming the problem; nothing a client sends can throw past a handler.
import type { Logger } from 'pino';
import { GrpcStatus, toServerError } from '../errors.ts';
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

/** What a handler knows of its call, whatever carries it. */
export interface UnaryCall {
  /** Milliseconds until the client's deadline (grpc-timeout); undefined when it set none. */
  readonly deadlineMs: number | undefined;
  /** Registers what to do when the client cancels (RST_STREAM) or goes away before the answer. */
  onCancel(listener: () => void): void;
}

/** One unary method: the decoded request in, the response object out (or a thrown ServerError). */
export type UnaryHandler = (request: unknown, call: UnaryCall) => unknown;

function deadlineMs(call: UnaryCall, fallbackMs: number): number {
  if (call.deadlineMs !== undefined) return Math.max(1, call.deadlineMs);
  return fallbackMs > 0 ? fallbackMs : Number.POSITIVE_INFINITY;
}

export function makeHandlers(deps: HandlerDeps): Record<string, UnaryHandler> {
  const { registry, logger, metrics, serverInfo } = deps;

  /** A synchronous metadata-style method: its result, or the error it throws. */
  const simple =
    (fn: (req: WireNameVersion) => unknown): UnaryHandler =>
    (request) =>
      fn(request as WireNameVersion);

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

  const ModelInfer: UnaryHandler = async (request, call) => {
    const ctx = new RequestContext('grpc', metrics, deadlineMs(call, deps.defaultTimeoutMs));
    call.onCancel(() => ctx.cancel());
    const req = request as WireInferRequest;
    try {
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
      const response = encodeGrpcResponse(
        model,
        req.id,
        pickOutputs(results, outputs).map(({ output, tensor }) => ({ name: output.name, tensor })),
      );
      ctx.finish(true);
      return response;
    } catch (error: unknown) {
      ctx.finish(false);
      const e = toServerError(error);
      if (e.httpStatus >= 500) logger.error({ err: e, model: req.model_name }, 'inference failed');
      else logger.debug({ err: e, model: req.model_name }, 'inference rejected');
      throw e;
    }
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
