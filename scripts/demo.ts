// `make demo`: the whole chain in one command. Starts the local control plane, installs the CRD and
// runs the operator, applies examples/throughput.yaml, waits for Ready and shows the plan, the pods on
// their nodes and the status; then runs ONE real ovfleet-server with the args and env of the
// Deployment the operator rendered (model path and ports rewritten for this machine) on the bundled
// PP-OCR direction classifier and sends it a real inference. Cleans up after itself, also on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { type Cluster, startCluster } from '../test/cluster/harness.ts';
import { ocrModelPath } from '../test/support/models.ts';
import {
  bold,
  type Container,
  freePort,
  indent,
  info,
  localArgs,
  modelVolume,
  step,
  until,
} from './demo-support.ts';

const ROOT = join(import.meta.dirname, '..');
const NAME = 'ocr-cls';
const NS = 'default';
const children: ChildProcess[] = [];
let cluster: Cluster | undefined;
let workDir: string | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    step('cleaning up: server, operator, control plane, temporary files');
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
    await cluster?.stop().catch((e: unknown) => info(`stopping the cluster failed: ${String(e)}`));
    if (workDir) await rm(workDir, { recursive: true, force: true });
    info('done; nothing left running');
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.log(`\n${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; log?: string[] } = {}): ChildProcess {
  const [cmd = '', ...args] = argv;
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    opts.log?.push(b.toString('utf8'));
    if (opts.log && opts.log.length > 400) opts.log.splice(0, 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  return child;
}

async function ovfleet(args: string[]): Promise<string> {
  const out: string[] = [];
  const child = run([process.execPath, join(ROOT, 'bin', 'ovfleet.js'), ...args], { log: out });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`ovfleet ${args.join(' ')} exited ${code}: ${out.join('')}`);
  return out.join('');
}

async function controlPlane(): Promise<Cluster> {
  step(
    'starting the local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)',
  );
  const c = await startCluster({ logger: pino({ level: 'warn' }) });
  info(`API server ${c.server}, ready in ${(c.startMs / 1000).toFixed(1)} s; fake nodes:`);
  info(
    indent(
      await c.kubectl([
        'get',
        'nodes',
        '-o',
        'custom-columns=NODE:.metadata.name,CPU:.status.allocatable.cpu,VPU:.status.allocatable.ovfleet\\.io/vpu',
      ]),
    ).trim(),
  );
  return c;
}

async function operator(c: Cluster): Promise<void> {
  step('installing the InferenceService CRD (kubectl apply -f crds/)');
  info((await c.kubectl(['apply', '-f', 'crds/'])).trim());
  await c.kubectl([
    'wait',
    '--for=condition=Established',
    'crd/inferenceservices.ovfleet.io',
    '--timeout=60s',
  ]);

  step('starting the operator (ovfleet run --leader-elect)');
  const port = await freePort();
  const log: string[] = [];
  const op = run(
    [
      process.execPath,
      join(ROOT, 'bin', 'ovfleet.js'),
      'run',
      `--kubeconfig=${c.kubeconfigPath}`,
      '--leader-elect',
      '--lease-namespace=default',
      '--bind-address=127.0.0.1',
      `--metrics-port=${port}`,
      `--health-port=${port}`,
    ],
    { log },
  );
  await until(
    'the operator to be ready',
    async () => {
      if (op.exitCode !== null) throw new Error(`operator exited ${op.exitCode}:\n${log.join('')}`);
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      return r.status === 200 ? true : undefined;
    },
    30_000,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${log.join('').slice(-3000)}`);
  });
  info(`operator ready (pid ${op.pid}); metrics on http://127.0.0.1:${port}/metrics`);
}

async function inferenceService(c: Cluster): Promise<Container> {
  step('creating the model volume the example mounts (PVC ocr-models, bound to a host-path PV)');
  await c.kubectl(['apply', '-f', '-'], {
    input: stringify(modelVolume(NS)),
  });

  step('kubectl apply -f examples/throughput.yaml  (objective: throughput, budget: 80 vCPU)');
  const started = Date.now();
  info((await c.kubectl(['apply', '-f', 'examples/throughput.yaml'])).trim());
  step('waiting: kubectl wait --for=condition=Ready inferenceservice/ocr-cls');
  await c.kubectl(['wait', '--for=condition=Ready', `inferenceservice/${NAME}`, '-n', NS, '--timeout=180s'], {
    timeoutMs: 200_000,
  });
  info(`Ready ${((Date.now() - started) / 1000).toFixed(1)} s after apply`);

  step(
    'the plan (ovfleet plan -f examples/throughput.yaml --explain; the operator planned the same against the real nodes)',
  );
  console.log(indent(await ovfleet(['plan', '-f', 'examples/throughput.yaml', '--explain'])));

  step('kubectl get inferenceservices -o wide');
  console.log(indent(await c.kubectl(['get', 'ovis', '-n', NS, '-o', 'wide'])));

  step('the pods and the nodes they run on');
  const pods = JSON.parse(
    await c.kubectl(['get', 'pods', '-n', NS, '-l', `app.kubernetes.io/instance=${NAME}`, '-o', 'json']),
  ) as { items: { spec: { nodeName?: string; containers: Container[] }; status: { phase?: string } }[] };
  const perNode = new Map<string, number>();
  for (const p of pods.items)
    perNode.set(p.spec.nodeName ?? '(pending)', (perNode.get(p.spec.nodeName ?? '(pending)') ?? 0) + 1);
  for (const [node, n] of [...perNode].sort()) {
    info(`${node}: ${n} pod(s) × ${pods.items[0]?.spec.containers[0]?.resources?.limits?.cpu ?? '?'} vCPU`);
  }
  console.log(
    indent(
      await c.kubectl([
        'get',
        'pods',
        '-n',
        NS,
        '-l',
        `app.kubernetes.io/instance=${NAME}`,
        '-o',
        'custom-columns=POD:.metadata.name,NODE:.spec.nodeName,CPU_REQ:.spec.containers[0].resources.requests.cpu,CPU_LIM:.spec.containers[0].resources.limits.cpu,OMP:.spec.containers[0].env[?(@.name=="OMP_NUM_THREADS")].value,PHASE:.status.phase',
      ]),
    ),
  );

  step('the InferenceService status (conditions, applied plan, endpoints)');
  const isvc = JSON.parse(await c.kubectl(['get', 'ovis', NAME, '-n', NS, '-o', 'json'])) as {
    status: { conditions: { type: string; status: string; reason: string; message: string }[] } & Record<
      string,
      unknown
    >;
  };
  for (const cond of isvc.status.conditions)
    info(`${cond.type.padEnd(12)} ${cond.status.padEnd(6)} ${cond.reason}: ${cond.message}`);
  const { conditions: _c, ...rest } = isvc.status;
  console.log(indent(stringify(rest)));
  console.log(
    indent(await c.kubectl(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${NAME}`])),
  );

  const deployment = JSON.parse(await c.kubectl(['get', 'deployment', NAME, '-n', NS, '-o', 'json'])) as {
    spec: { template: { spec: { containers: Container[] } } };
  };
  return deployment.spec.template.spec.containers[0] ?? {};
}

async function serve(container: Container): Promise<void> {
  step('running ONE real ovfleet-server with the rendered args and env (on this machine, not in kwok)');
  workDir = await mkdtemp(join(tmpdir(), 'ovfleet-demo-'));
  const modelDir = join(workDir, NAME);
  await mkdir(join(modelDir, '1'), { recursive: true });
  await symlink(ocrModelPath('cls'), join(modelDir, '1', 'model.onnx'));
  const [grpc, rest] = [await freePort(), await freePort()];
  const args = localArgs(container.args ?? [], modelDir, grpc, rest);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  info(
    `model: PP-OCR text-direction classifier (${ocrModelPath('cls').split('/').pop()}) as ${modelDir}/1/model.onnx`,
  );
  info(`env:   ${(container.env ?? []).map((e) => `${e.name}=${e.value ?? '(from the pod)'}`).join(' ')}`);
  info(`args:  ovfleet-server ${args.join(' ')}`);
  const log: string[] = [];
  const server = run([process.execPath, join(ROOT, 'bin', 'ovfleet-server.js'), ...args], { env, log });
  const base = `http://127.0.0.1:${rest}`;
  await until(
    'the server to be ready',
    async () => {
      if (server.exitCode !== null) throw new Error(`ovfleet-server exited ${server.exitCode}`);
      const r = await fetch(`${base}/v2/models/${NAME}/ready`);
      return r.status === 200 ? true : undefined;
    },
    120_000,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${log.join('').slice(-3000)}`);
  });
  const meta = (await (await fetch(`${base}/v2/models/${NAME}`)).json()) as {
    inputs: { name: string; datatype: string; shape: number[] }[];
    outputs: { name: string; shape: number[] }[];
  };
  info(`ready: gRPC 127.0.0.1:${grpc}, REST ${base}; model metadata:`);
  info(`  inputs  ${meta.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(',')}]`).join('; ')}`);
  info(`  outputs ${meta.outputs.map((o) => `${o.name} [${o.shape.join(',')}]`).join('; ')}`);

  step(`sending an inference: POST ${base}/v2/models/${NAME}/infer (KServe v2 JSON)`);
  const input = meta.inputs[0];
  if (!input) throw new Error('the model has no inputs');
  const shape = input.shape.map((d, i) => (d > 0 ? d : i === 0 ? 1 : ([3, 48, 192][i - 1] ?? 1)));
  const count = shape.reduce((a, b) => a * b, 1);
  const [h, w] = [shape[2] ?? 48, shape[3] ?? 192];
  // A synthetic "text line": dark strokes on a light background, normalised like PP-OCR does (x/255-0.5)/0.5.
  const data = Array.from({ length: count }, (_, i) => {
    const x = i % w;
    const y = Math.floor(i / w) % h;
    const ink = y > h * 0.3 && y < h * 0.7 && x % 12 < 5;
    return ink ? -0.8 : 0.9;
  });
  const started = performance.now();
  const res = await fetch(`${base}/v2/models/${NAME}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: input.name, shape, datatype: 'FP32', data }] }),
  });
  const ms = performance.now() - started;
  const answer = (await res.json()) as {
    outputs?: { name: string; shape: number[]; data: number[] }[];
    error?: string;
  };
  if (!res.ok || !answer.outputs)
    throw new Error(`inference failed: HTTP ${res.status} ${JSON.stringify(answer)}`);
  for (const o of answer.outputs) {
    info(
      `${o.name} [${o.shape.join(',')}] = [${o.data.map((v) => v.toFixed(4)).join(', ')}]  (${ms.toFixed(1)} ms)`,
    );
  }
  const [up = 0, down = 0] = answer.outputs[0]?.data ?? [];
  info(
    `→ classes [0°, 180°]: the classifier answers ${up >= down ? '0° (upright)' : '180° (upside down)'} with p=${Math.max(up, down).toFixed(3)} for this synthetic stripe pattern`,
  );
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const success = metrics
    .split('\n')
    .find((l) => l.startsWith('ovms_requests_success') && l.includes('REST'));
  if (success) info(`server metrics: ${success}`);
}

async function main(): Promise<void> {
  console.log(
    bold('ovfleet demo: InferenceService → operator → right-sized pods → a real server answering inference'),
  );
  cluster = await controlPlane();
  await operator(cluster);
  const container = await inferenceService(cluster);
  try {
    await serve(container);
  } catch (error: unknown) {
    // The operator half stands on its own; say clearly what did not work in the server half.
    step('the server part did not complete');
    info(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error: unknown) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
