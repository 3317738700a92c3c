// `ovfleet`: the operator's CLI — plan, render and crd work without a cluster and call the very same
// pure functions the controller calls; run starts the controller. Input errors print one line per
// problem naming the field and the rule, and exit with code 2; never a stack trace.
import { Command, CommanderError, Option } from 'commander';
import { crdCommand, planCommand, renderCommand } from './cli/commands.ts';
import { OUTPUT_FORMATS, type OutputFormat } from './cli/plan-format.ts';
import { parseFlagValue, SIZING_FLAGS, type SizingFlag } from './cli/sizing-flags.ts';
import { toOperatorError } from './errors.ts';

const PLAN_EXAMPLES = `
Examples:
  $ ovfleet plan --vcpus 80 --objective throughput     # 20 instances × 4 vCPU, OMP_NUM_THREADS=4
  $ ovfleet plan --vcpus 80 --objective latency        # 1 instance × 80 vCPU, OMP_NUM_THREADS=40
  $ ovfleet plan -f examples/hddl.yaml --explain       # the reason for every number
  $ ovfleet plan -f examples/throughput.yaml --vcpus 160 -o json

A plan that breaks an invariant is printed with its violations (exit code 0); render refuses it.`;

const RENDER_EXAMPLES = `
Examples:
  $ ovfleet render -f examples/throughput.yaml | kubectl apply -f -
  $ ovfleet render -f examples/hddl.yaml > hddl-objects.yaml`;

const ROOT_EXAMPLES = `
Examples:
  $ ovfleet plan --vcpus 80 --objective throughput
  $ ovfleet render -f examples/latency.yaml
  $ ovfleet crd | kubectl apply -f -
  $ ovfleet run --leader-elect

Exit codes: 0 ok, 2 invalid input (the message names the field and the rule), 1 anything else.`;

const FLAG_HELP: Record<SizingFlag, string> = {
  vcpus: 'total vCPU budget of the fleet',
  vpus: 'total VPU/accelerator budget',
  objective: 'latency | throughput',
  device: 'CPU | HDDL | GPU | NPU | AUTO',
  runtime: 'ovfleet | ovms',
  threading: 'tbb | omp (OpenVINO threading runtime)',
  nodeVcpus: 'allocatable vCPUs per node (default 80)',
  threadsPerCore: 'hardware threads per core (default 2)',
  nodeCount: 'number of nodes (default: as many as needed)',
  nodeVpus: 'VPUs per node (default: the whole VPU budget)',
  vcpusPerInstance: 'pin vCPUs per instance',
  replicas: 'pin the number of instances',
  nireq: 'pin infer requests per instance',
  streams: 'pin OpenVINO NUM_STREAMS',
  threads: 'pin OpenVINO INFERENCE_NUM_THREADS / OMP_NUM_THREADS',
  grpcWorkers: 'pin gRPC workers',
  restWorkers: 'pin REST workers',
};

function sizingOptionName(key: SizingFlag): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function write(text: string): void {
  process.stdout.write(text);
}

function program(): Command {
  const root = new Command('ovfleet')
    .description('Plans, renders and reconciles InferenceServices: OpenVINO models as right-sized fleets.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ROOT_EXAMPLES)
    .exitOverride();

  const planCmd = root
    .command('plan')
    .description('Print the plan (instances, vCPUs, threads, nireq, workers, mounts) for a spec or flags.')
    .option('-f, --file <file>', 'InferenceService YAML ("-" for stdin); flags override its fields')
    .option('--explain', 'give the reason for every number', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .addHelpText('after', PLAN_EXAMPLES);
  for (const key of Object.keys(SIZING_FLAGS) as SizingFlag[]) {
    planCmd.option(`--${sizingOptionName(key)} <value>`, FLAG_HELP[key], parseFlagValue);
  }
  planCmd.action(async (opts: Record<string, unknown>) => {
    const flags: Partial<Record<SizingFlag, unknown>> = {};
    for (const key of Object.keys(SIZING_FLAGS) as SizingFlag[]) {
      if (opts[key] !== undefined) flags[key] = opts[key];
    }
    const options = {
      explain: opts.explain === true,
      output: opts.output as OutputFormat,
      flags,
      ...(typeof opts.file === 'string' ? { file: opts.file } : {}),
    };
    write(await planCommand(options));
  });

  root
    .command('render')
    .description(
      'Print the Kubernetes objects (Deployment, Service, PodDisruptionBudget) as multi-document YAML.',
    )
    .requiredOption('-f, --file <file>', 'InferenceService YAML ("-" for stdin)')
    .option('--allow-unfit', 'render even when the plan breaks an invariant', false)
    .addHelpText('after', RENDER_EXAMPLES)
    .action(async (opts: { file: string; allowUnfit: boolean }) => {
      write(await renderCommand({ file: opts.file, allowUnfit: opts.allowUnfit }));
    });

  root
    .command('crd')
    .description('Print the InferenceService CustomResourceDefinition (what crds/ holds).')
    .action(() => write(crdCommand()));

  root
    .command('run')
    .description('Run the controller: watch InferenceServices and reconcile them into Deployments.')
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)',
    )
    .option('--namespace <ns>', 'watch only this namespace (default: all namespaces)')
    .option('--leader-elect', 'elect a leader through a Lease so only one replica reconciles', false)
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease')
    .option('--lease-name <name>', 'name of the leader-election Lease', 'ovfleet-operator')
    .option('--metrics-port <port>', 'Prometheus /metrics port', parseFlagValue, 8080)
    .option('--health-port <port>', '/healthz and /readyz port', parseFlagValue, 8081)
    .option('--server-image <image>', 'default ovfleet-server image for InferenceServices that name none')
    .option('--log-level <level>', 'trace | debug | info | warn | error', 'info')
    .option('--bind-address <addr>', 'address the metrics/health ports listen on', '0.0.0.0')
    .option('--identity <id>', 'leader-election identity (default: $POD_NAME or host-pid)')
    .option('--resync-seconds <s>', 're-reconcile every InferenceService this often', parseFlagValue)
    .option('--workers <n>', 'concurrent reconciles (never two for one InferenceService)', parseFlagValue)
    .option('--lease-duration-seconds <s>', 'leader Lease duration', parseFlagValue)
    .option('--renew-deadline-seconds <s>', 'leader gives up if it cannot renew within this', parseFlagValue)
    .option('--retry-period-seconds <s>', 'how often candidates try and the leader renews', parseFlagValue)
    .addHelpText('after', '\nExample:\n  $ ovfleet run --leader-elect --lease-namespace ovfleet-system')
    .action(async (opts: Record<string, unknown>) => {
      const { runController } = await import('./controller/main.ts');
      await runController(opts as unknown as Parameters<typeof runController>[0]);
    });

  return root;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed it
    const e = toOperatorError(error);
    // Internal failures carry their code so a bug report names it; input errors read as plain lines.
    const prefix = e.code === 'OVF_ERR_INTERNAL' ? `${e.code}: ` : '';
    const lines = `${prefix}${e.message}`.split('\n');
    process.stderr.write(lines.map((line) => `ovfleet: ${line}\n`).join(''));
    return e.exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
