// Starting the systems under test on loopback: ovfleet-server (optionally under node --cpu-prof) and
// the KServe peer. Both serve one model with the same device properties, shape and nireq.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { pinned } from '../common/placement.ts';
import { freePort, type Service, startService, waitForHttp } from '../common/processes.ts';
import type { BenchModel } from './models.ts';

const SERVER_BIN = fileURLToPath(new URL('../../bin/ovfleet-server.js', import.meta.url));
const PEER_SCRIPT = fileURLToPath(new URL('./peer.py', import.meta.url));

export interface ServingConfig {
  /** compile_model properties: PERFORMANCE_HINT, NUM_STREAMS, INFERENCE_NUM_THREADS. */
  readonly properties: Readonly<Record<string, string>>;
  readonly nireq: number;
  /** gRPC (and REST) protocol workers; 1 = transports in the main process. */
  readonly workers?: number;
}

export interface RunningSystem {
  readonly service: Service;
  readonly grpcUrl: string;
  readonly restUrl: string;
}

export interface StartOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Write a V8 CPU profile into this folder when the server exits. */
  readonly cpuProfileDir?: string;
  /** Pin the server to these CPUs (a `taskset -c` list such as "0" or "0,1"). */
  readonly cpus?: string;
}

async function ready(service: Service, restPort: number, grpcPort: number, options: StartOptions) {
  await waitForHttp(`http://127.0.0.1:${restPort}/v2/health/ready`, service, 120_000, options.signal);
  return { service, grpcUrl: `127.0.0.1:${grpcPort}`, restUrl: `127.0.0.1:${restPort}` };
}

export async function startOvfleet(
  model: BenchModel,
  repository: string,
  serving: ServingConfig,
  options: StartOptions,
): Promise<RunningSystem> {
  const grpcPort = await freePort();
  const restPort = await freePort();
  const nodeFlags =
    options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  const workers = String(serving.workers ?? 1);
  const command = [
    process.execPath,
    ...nodeFlags,
    SERVER_BIN,
    '--model_name',
    model.name,
    '--model_path',
    repository,
    '--shape',
    `(${model.shape.join(',')})`,
    '--plugin_config',
    JSON.stringify(serving.properties),
    '--nireq',
    String(serving.nireq),
    '--port',
    String(grpcPort),
    '--rest_port',
    String(restPort),
    '--grpc_bind_address',
    '127.0.0.1',
    '--rest_bind_address',
    '127.0.0.1',
    '--log_level',
    'WARNING',
    '--file_system_poll_wait_seconds',
    '0',
    '--grpc_workers',
    workers,
    '--rest_workers',
    workers,
  ];
  const [file, args] = pinned(options.cpus, process.execPath, command.slice(1));
  const service = startService(file, args, { env: options.env, logger: options.logger });
  return ready(service, restPort, grpcPort, options);
}

export async function startPeer(
  model: BenchModel,
  modelPath: string,
  serving: ServingConfig,
  python: string,
  options: StartOptions,
): Promise<RunningSystem> {
  const grpcPort = await freePort();
  const restPort = await freePort();
  const spec = {
    name: model.name,
    modelPath,
    inputName: model.inputName,
    shape: model.shape,
    properties: serving.properties,
    nireq: serving.nireq,
    httpPort: restPort,
    grpcPort,
  };
  const [file, args] = pinned(options.cpus, python, [PEER_SCRIPT, '--bench_spec', JSON.stringify(spec)]);
  const service = startService(file, args, {
    env: options.env,
    logger: options.logger,
  });
  return ready(service, restPort, grpcPort, options);
}
