// A short, bounded perf_analyzer run (Triton's load generator, from PyPI) against ovfleet-server
// serving the PP-OCR classifier, over gRPC and over HTTP with binary tensors, at concurrency 1 and 8.
// Each run has a fixed request count; it must exit 0 (perf_analyzer stops at the first failed request)
// and the server's own counters must show every request succeeded.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageOcrModel } from '../support/models.ts';
import { runServer, type ServerProcess } from '../support/server-process.ts';
import { perfAnalyzer } from '../support/tools.ts';

const REQUESTS = 200;
let dir = '';
let server: ServerProcess;

interface Row {
  protocol: string;
  concurrency: number;
  inferPerSec: number;
  p50us: number;
  p99us: number;
}
const rows: Row[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovfleet-e2e-perf-'));
  await stageOcrModel(dir, 'cls');
  server = await runServer([
    '--model_name',
    'cls',
    '--model_path',
    join(dir, 'cls'),
    '--plugin_config',
    '{"INFERENCE_PRECISION_HINT":"f32","PERFORMANCE_HINT":"THROUGHPUT"}',
    '--file_system_poll_wait_seconds',
    '0',
  ]);
});

afterAll(async () => {
  if (rows.length > 0) {
    console.log(JSON.stringify({ model: 'ch_ppocr_mobile_v2.0_cls [1,3,48,192]', requests: REQUESTS, rows }));
    console.table(rows);
  }
  await server?.stop(10_000);
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      perfAnalyzer(),
      args,
      { timeout: 120_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Counter value summed over every series of a metric in Prometheus text. */
async function counter(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('perf_analyzer against ovfleet-server', () => {
  const cases: [string, number][] = [
    ['grpc', 1],
    ['grpc', 8],
    ['http', 1],
    ['http', 8],
  ];

  it.each(cases)('%s at concurrency %i: every request succeeds', async (protocol, concurrency) => {
    const okBefore = await counter('ovms_requests_success');
    const failBefore = await counter('ovms_requests_fail');
    const csv = join(dir, `pa-${protocol}-${concurrency}.csv`);
    const port = protocol === 'grpc' ? server.grpcPort : server.restPort;
    const args = ['-m', 'cls', '-u', `127.0.0.1:${port}`, '-i', protocol, '--shape', 'x:1,3,48,192'];
    args.push('--concurrency-range', String(concurrency), '--request-count', String(REQUESTS));
    args.push('--input-data', 'random', '-f', csv);
    if (protocol === 'http') args.push('--input-tensor-format', 'binary', '--output-tensor-format', 'binary');
    const { code, output } = await run(args);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/error/i);
    const [header, values] = (await readFile(csv, 'utf8')).trim().split('\n');
    const cols = (header ?? '').split(',');
    const row = (values ?? '').split(',').map(Number);
    const col = (name: string) => row[cols.indexOf(name)] ?? Number.NaN;
    expect(col('Concurrency')).toBe(concurrency);
    expect(col('Inferences/Second')).toBeGreaterThan(0);
    rows.push({
      protocol: protocol === 'http' ? 'rest-binary' : 'grpc',
      concurrency,
      inferPerSec: col('Inferences/Second'),
      p50us: col('p50 latency'),
      p99us: col('p99 latency'),
    });
    // The server counted every request perf_analyzer sent (plus its warm-up) as a success, none failed.
    expect(await counter('ovms_requests_fail')).toBe(failBefore);
    expect((await counter('ovms_requests_success')) - okBefore).toBeGreaterThanOrEqual(REQUESTS);
  });
});
