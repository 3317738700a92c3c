// REST routes of the Open Inference Protocol (KServe v2) plus /metrics and /v1/config/reload.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ServerError, toServerError } from '../errors.ts';
import { BufferPool } from '../protocol/buffer-pool.ts';
import { buildInputs, lookupModel, pickOutputs, resolveOutputs } from '../protocol/infer-request.ts';
import { modelConfig, modelMetadata } from '../protocol/metadata.ts';
import type { ServerMetrics } from '../protocol/metrics-port.ts';
import { RequestContext } from '../protocol/request-context.ts';
import { encodeRestInferResponse, parseRestInferRequest } from '../protocol/rest-codec.ts';
import type { ReloadResult, ServerInfo } from '../protocol/transport-options.ts';
import type { ModelRegistry } from '../repository/types.ts';
import { type Body, decodeContent, readBody, send, sendError, sendJson } from './http-io.ts';

export interface RouteDeps {
  readonly registry: ModelRegistry;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly serverInfo: ServerInfo;
  readonly maxBodyBytes: number;
  readonly defaultTimeoutMs: number;
  readonly onReload: (() => Promise<ReloadResult>) | undefined;
}

/** /v2/models/{name}[/versions/{v}][/{action}] */
const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer|config))?\/?$/;

type Action = 'metadata' | 'ready' | 'infer' | 'config';
const METHOD_OF: Record<Action, string> = { metadata: 'GET', ready: 'GET', infer: 'POST', config: 'GET' };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error: unknown) {
    throw new ServerError('OVF_ERR_REQUEST_INVALID', `malformed URL segment ${JSON.stringify(segment)}`, {
      cause: error,
    });
  }
}

function notFound(method: string, path: string): ServerError {
  return new ServerError('OVF_ERR_MODEL_NOT_FOUND', `no route for ${method} ${path}`);
}

export function makeRouter(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { registry, metrics, serverInfo } = deps;
  const pool = new BufferPool();

  const infer = async (
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    version: string | undefined,
  ) => {
    const ctx = new RequestContext('rest', metrics, deps.defaultTimeoutMs);
    res.on('close', () => {
      if (!res.writableFinished) ctx.cancel();
    });
    let raw: Body | undefined;
    try {
      const encoding = req.headers['content-encoding'];
      // The body goes back to the pool once the answer is encoded: inputs may be views of it.
      raw = await readBody(req, deps.maxBodyBytes, pool);
      const body = await decodeContent(raw.bytes, encoding, deps.maxBodyBytes);
      const header = req.headers['inference-header-content-length'];
      const parsed = parseRestInferRequest(body, Array.isArray(header) ? header[0] : header);
      const model = ctx.bind(lookupModel(registry, name, version));
      const inputs = buildInputs(model, parsed.inputs);
      const outputs = resolveOutputs(model, parsed.outputs, { binary: parsed.binaryByDefault });
      const results = await ctx.infer(model, inputs);
      const picked = pickOutputs(results, outputs).map(({ output, tensor }) => ({
        name: output.name,
        binary: output.options.binary,
        tensor,
      }));
      const answer = encodeRestInferResponse(model, parsed.id, picked);
      raw.release();
      raw = undefined;
      ctx.finish(true);
      if (answer.headerLength === undefined) send(res, 200, 'application/json', answer.body);
      else {
        send(res, 200, 'application/octet-stream', answer.body, {
          'Inference-Header-Content-Length': String(answer.headerLength),
        });
      }
    } catch (error: unknown) {
      raw?.release();
      ctx.finish(false);
      throw error;
    }
  };

  const modelRoute = async (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray) => {
    const name = decode(match[1] ?? '');
    const version = match[2] === undefined ? undefined : decode(match[2]);
    const action: Action = (match[3] as Action | undefined) ?? 'metadata';
    if (req.method !== METHOD_OF[action]) {
      throw new ServerError(
        'OVF_ERR_REQUEST_INVALID',
        `${req.method} is not allowed here; use ${METHOD_OF[action]}`,
      );
    }
    switch (action) {
      case 'infer':
        return infer(req, res, name, version);
      case 'metadata':
        return sendJson(
          res,
          200,
          modelMetadata(registry, lookupModel(registry, name, version), version !== undefined),
        );
      case 'config':
        return sendJson(res, 200, modelConfig(lookupModel(registry, name, version)));
      case 'ready': {
        let ready = false;
        try {
          ready = lookupModel(registry, name, version).state === 'AVAILABLE';
        } catch (error: unknown) {
          const e = toServerError(error);
          if (e.code !== 'OVF_ERR_MODEL_UNAVAILABLE') throw e;
        }
        return ready
          ? send(res, 200, 'text/plain', '')
          : sendJson(res, 503, { error: `model ${JSON.stringify(name)} is not ready` });
      }
    }
  };

  const reload = async (req: IncomingMessage, res: ServerResponse) => {
    if (deps.onReload === undefined) throw notFound(req.method ?? '', '/v1/config/reload');
    (await readBody(req, deps.maxBodyBytes)).release();
    const result = await deps.onReload();
    sendJson(
      res,
      result.ok ? 200 : 500,
      result.ok ? result : { error: result.message, details: result.details },
    );
  };

  return async (req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    try {
      if (path.startsWith('/v2/models/')) {
        const match = MODEL_PATH.exec(path);
        if (match === null) throw notFound(method, path);
        await modelRoute(req, res, match);
        return;
      }
      const key = `${method} ${path.replace(/\/$/, '')}`;
      switch (key) {
        case 'GET /v2':
          return sendJson(res, 200, {
            name: serverInfo.name,
            version: serverInfo.version,
            extensions: serverInfo.extensions,
          });
        case 'GET /v2/health/live':
          return send(res, 200, 'text/plain', '');
        case 'GET /v2/health/ready':
          return registry.ready()
            ? send(res, 200, 'text/plain', '')
            : sendJson(res, 503, { error: 'not every model is ready' });
        case 'GET /metrics':
          return send(res, 200, metrics.contentType, await metrics.render());
        case 'POST /v1/config/reload':
          return await reload(req, res);
        default:
          throw notFound(method, path);
      }
    } catch (error: unknown) {
      const e = toServerError(error);
      if (e.httpStatus >= 500) deps.logger.error({ err: e, method, path }, 'request failed');
      else deps.logger.debug({ err: e, method, path }, 'request rejected');
      if (e.code === 'OVF_ERR_REQUEST_TOO_LARGE') res.setHeader('Connection', 'close');
      sendError(res, e);
    }
  };
}
