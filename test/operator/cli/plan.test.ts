import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ovfleet } from './run-cli.ts';

function row(stdout: string, name: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no "${name}" row in:\n${stdout}`);
  return line.slice(name.length).trim();
}

describe('ovfleet plan', () => {
  it('--vcpus 80 --objective throughput: 20 instances × 4 vCPU with OMP_NUM_THREADS=4', () => {
    const r = ovfleet(['plan', '--vcpus', '80', '--objective', 'throughput']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'instances')).toBe('20 × 4 vCPU');
    expect(row(r.stdout, 'env')).toMatch(/(^| )OMP_NUM_THREADS=4( |$)/);
    expect(row(r.stdout, 'fits')).toBe('yes');
  });

  it('--vcpus 80 --objective latency: 1 instance × 80 vCPU with OMP_NUM_THREADS=40', () => {
    const r = ovfleet(['plan', '--vcpus', '80', '--objective', 'latency']);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'instances')).toBe('1 × 80 vCPU');
    expect(row(r.stdout, 'env')).toMatch(/(^| )OMP_NUM_THREADS=40( |$)/);
  });

  it('-f examples/hddl.yaml: nireq 32, grpc_workers 64 and both mounts', () => {
    const r = ovfleet(['plan', '-f', 'examples/hddl.yaml']);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'nireq')).toBe('32');
    expect(row(r.stdout, 'grpc_workers')).toBe('64');
    expect(row(r.stdout, 'mounts')).toContain('/dev/ion → /dev/ion (CharDevice)');
    expect(row(r.stdout, 'mounts')).toContain('/var/tmp → /var/tmp (Directory)');
  });

  it('--explain gives a reason for each number of the plan', () => {
    const r = ovfleet(['plan', '-f', 'examples/hddl.yaml', '--explain', '-o', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { rationale: { field: string; value: string; reason: string }[] };
    const explained = new Map(plan.rationale.map((x) => [x.field, x]));
    for (const field of [
      'replicas',
      'vcpusPerInstance',
      'nireq',
      'grpcWorkers',
      'restWorkers',
      'env.OMP_NUM_THREADS',
    ]) {
      expect(explained.get(field)?.reason, field).toMatch(/\w{3,}/);
    }
    expect(explained.get('nireq')?.value).toBe('32');
    const table = ovfleet(['plan', '-f', 'examples/hddl.yaml', '--explain']);
    expect(table.stdout).toContain('why:');
    expect(table.stdout).toMatch(/^ {2}nireq +?= 32: .{10,}$/m);
    expect(table.stdout).toMatch(/^ {2}grpcWorkers +?= 64: .{10,}$/m);
  });

  it('prints YAML and JSON that hold the same plan', () => {
    const json = JSON.parse(ovfleet(['plan', '--vcpus', '80', '-o', 'json']).stdout) as Record<
      string,
      unknown
    >;
    const yaml = parse(ovfleet(['plan', '--vcpus', '80', '-o', 'yaml']).stdout) as Record<string, unknown>;
    expect(yaml).toEqual(json);
    expect(json).toMatchObject({ replicas: 20, vcpusPerInstance: 4, objective: 'throughput' });
  });

  it("shows the OpenVINO properties the pods get, the spec's own winning, with a reason", () => {
    const r = ovfleet(['plan', '-f', 'examples/latency.yaml', '--explain']);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'properties')).toMatch(/(^| )INFERENCE_PRECISION_HINT=bf16( |$)/);
    expect(r.stdout).toMatch(
      /ovProperties\.INFERENCE_PRECISION_HINT = bf16: set by spec\.server\.ovProperties/,
    );
  });

  it('lets flags override a file', () => {
    const r = ovfleet(['plan', '-f', 'examples/throughput.yaml', '--objective', 'latency']);
    expect(row(r.stdout, 'instances')).toBe('1 × 80 vCPU');
  });

  it('plans every InferenceService of a multi-document file', () => {
    const doc = (name: string, objective: string) =>
      `apiVersion: ovfleet.io/v1alpha1\nkind: InferenceService\nmetadata: {name: ${name}}\n` +
      `spec: {model: {name: m, source: {hostPath: {path: /m}}}, budget: {vcpus: 80}, objective: ${objective}}\n`;
    const text = `${doc('fast', 'latency')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n---\n${doc('busy', 'throughput')}`;
    const r = ovfleet(['plan', '-f', '-', '-o', 'json'], text);
    expect(r.code).toBe(0);
    const plans = JSON.parse(r.stdout) as { replicas: number }[];
    expect(plans.map((p) => p.replicas)).toEqual([1, 20]);
  });

  it('asks for input when given neither a file nor --vcpus', () => {
    const r = ovfleet(['plan']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give -f <file> or at least --vcpus <n>/);
  });

  it('reports an unfit plan with its violations and exit code 0', () => {
    const r = ovfleet(['plan', '--vcpus', '80', '--replicas', '30', '--vcpus-per-instance', '4']);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'fits')).toMatch(/^NO/);
    expect(r.stdout).toMatch(/violation budget-vcpus: /);
  });
});

describe('ovfleet plan rejects invalid input with exit code 2, the field and the rule', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'negative vCPUs',
      ['--vcpus', '-4'],
      /^ovfleet: --vcpus \(spec\.budget\.vcpus\): must be >= 1 \(got -4\)$/,
    ],
    [
      'unknown objective',
      ['--vcpus', '80', '--objective', 'fast'],
      /^ovfleet: --objective \(spec\.objective\): must be one of latency, throughput \(got "fast"\)$/,
    ],
    [
      'per-instance vCPUs above the budget',
      ['--vcpus', '8', '--vcpus-per-instance', '16'],
      /^ovfleet: --vcpus-per-instance \(spec\.overrides\.vcpusPerInstance\): must be <= spec\.budget\.vcpus \(got 16 > 8\)$/,
    ],
    [
      'a non-number',
      ['--vcpus', 'lots'],
      /^ovfleet: --vcpus \(spec\.budget\.vcpus\): must be a number \(got "lots"\)$/,
    ],
    [
      'HDDL without VPUs',
      ['--vcpus', '8', '--device', 'HDDL'],
      /^ovfleet: --vpus \(spec\.budget\.vpus\): must be >= 1 when spec\.device is HDDL \(got 0\)$/,
    ],
  ];
  for (const [title, args, message] of cases) {
    it(title, () => {
      const r = ovfleet(['plan', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('an invalid file names the field path', () => {
    const bad = [
      'apiVersion: ovfleet.io/v1alpha1',
      'kind: InferenceService',
      'metadata: {name: x}',
      'spec:',
      '  model: {name: x, source: {hostPath: {path: /m}}}',
      '  budget: {vcpus: -4}',
    ].join('\n');
    const r = ovfleet(['plan', '-f', '-'], bad);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('ovfleet: spec.budget.vcpus: must be >= 1 (got -4)');
  });

  it('every problem at once, one line each', () => {
    const r = ovfleet(['plan', '--vcpus', '0', '--objective', 'x', '--device', 'y']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').sort()).toEqual([
      'ovfleet: --device (spec.device): must be one of CPU, HDDL, GPU, NPU, AUTO (got "y")',
      'ovfleet: --objective (spec.objective): must be one of latency, throughput (got "x")',
      'ovfleet: --vcpus (spec.budget.vcpus): must be >= 1 (got 0)',
    ]);
  });

  it('a missing file and an unknown flag', () => {
    const missing = ovfleet(['plan', '-f', 'examples/nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/examples\/nope\.yaml: cannot read/);
    const unknown = ovfleet(['plan', '--vcpu', '8']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--vcpu'/);
  });
});

describe('ovfleet --help', () => {
  it('shows examples for plan and the exit codes', () => {
    const root = ovfleet(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/Exit codes: 0 ok, 2 invalid input/);
    const plan = ovfleet(['plan', '--help']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('$ ovfleet plan --vcpus 80 --objective throughput');
    expect(plan.stdout).toContain('--vcpus-per-instance <value>');
  });
});
