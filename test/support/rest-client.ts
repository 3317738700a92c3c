// A small KServe v2 REST client over node:http with its own keep-alive agent, so tests control how
// many connections they open (cluster workers are handed connections, not requests).
import { type Agent, request } from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

export function httpCall(
  url: string,
  options: { method?: string; body?: string; agent?: Agent; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: options.agent,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout calling ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface InferReply {
  readonly status: number;
  readonly version: string | undefined;
  /** Data of the first output (JSON answer). */
  readonly data: readonly number[];
  readonly body: string;
}

/** POST /v2/models/{model}/infer with one JSON input. */
export async function inferJson(
  baseUrl: string,
  model: string,
  input: { name: string; datatype: string; shape: readonly number[]; data: readonly number[] },
  agent?: Agent,
): Promise<InferReply> {
  const reply = await httpCall(`${baseUrl}/v2/models/${model}/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [input] }),
    ...(agent ? { agent } : {}),
  });
  if (reply.status !== 200) return { status: reply.status, version: undefined, data: [], body: reply.body };
  const parsed = JSON.parse(reply.body) as { model_version?: string; outputs?: { data?: number[] }[] };
  return {
    status: reply.status,
    version: parsed.model_version,
    data: parsed.outputs?.[0]?.data ?? [],
    body: reply.body,
  };
}

/** One sample of Prometheus text: the value of the series whose name and labels match exactly. */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
