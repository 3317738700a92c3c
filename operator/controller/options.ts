// The controller's configuration, validated once at the edge into a frozen object. This is the only
// module of the controller that reads process.env (the Downward API gives a pod its name/namespace).
import { hostname } from 'node:os';
import { z } from 'zod';
import { describeIssues } from '../api/issues.ts';
import { OperatorError } from '../errors.ts';

const seconds = (min: number) => z.number().min(min);

export const controllerOptionsSchema = z
  .object({
    kubeconfig: z
      .string()
      .min(1)
      .optional()
      .describe('kubeconfig file; default $KUBECONFIG, ~/.kube/config or in-cluster'),
    namespace: z.string().min(1).optional().describe('watch only this namespace; default: all namespaces'),
    leaderElect: z.boolean().default(false).describe('take part in Lease-based leader election'),
    leaseNamespace: z
      .string()
      .min(1)
      .optional()
      .describe('namespace of the Lease; default $POD_NAMESPACE or ovfleet-system'),
    leaseName: z.string().min(1).default('ovfleet-operator'),
    identity: z
      .string()
      .min(1)
      .optional()
      .describe('leader-election identity; default $POD_NAME or host-pid'),
    leaseDurationSeconds: seconds(1).default(15),
    renewDeadlineSeconds: seconds(1).default(10),
    retryPeriodSeconds: seconds(0.1).default(2),
    bindAddress: z.string().min(1).default('0.0.0.0').describe('address the metrics/health ports listen on'),
    metricsPort: z.int().min(0).max(65535).default(8080).describe('port of /metrics (0: any free port)'),
    healthPort: z
      .int()
      .min(0)
      .max(65535)
      .default(8081)
      .describe('port of /healthz and /readyz; the same as metricsPort serves all three on one port'),
    serverImage: z
      .string()
      .min(1)
      .optional()
      .describe('ovfleet-server image for InferenceServices that name none'),
    resyncSeconds: seconds(1).default(300).describe('re-reconcile every InferenceService this often'),
    workers: z.int().min(1).max(64).default(8).describe('concurrent reconciles (never two for one key)'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .refine((o) => o.renewDeadlineSeconds < o.leaseDurationSeconds, {
    message: 'renewDeadlineSeconds must be below leaseDurationSeconds',
    path: ['renewDeadlineSeconds'],
  });

export type ControllerOptionsInput = z.input<typeof controllerOptionsSchema>;

export interface ControllerOptions
  extends Readonly<Omit<z.output<typeof controllerOptionsSchema>, 'leaseNamespace' | 'identity'>> {
  readonly leaseNamespace: string;
  readonly identity: string;
}

/** Validates options (numbers may come as strings from flags); throws OVF_ERR_CONTROLLER_CONFIG_INVALID. */
export function parseControllerOptions(
  input: unknown,
  env: NodeJS.ProcessEnv = process.env,
): ControllerOptions {
  const coerced = coerceNumbers(input);
  const parsed = controllerOptionsSchema.safeParse(coerced);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error, coerced);
    throw new OperatorError('OVF_ERR_CONTROLLER_CONFIG_INVALID', lines.join('\n'), { cause: parsed.error });
  }
  const o = parsed.data;
  return Object.freeze({
    ...o,
    leaseNamespace: o.leaseNamespace ?? env.POD_NAMESPACE ?? 'ovfleet-system',
    identity: o.identity ?? env.POD_NAME ?? `${hostname()}-${process.pid}`,
  });
}

const NUMERIC = new Set([
  'metricsPort',
  'healthPort',
  'leaseDurationSeconds',
  'renewDeadlineSeconds',
  'retryPeriodSeconds',
  'resyncSeconds',
  'workers',
]);

function coerceNumbers(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, NUMERIC.has(k) && typeof v === 'string' && v.trim() !== '' ? Number(v) : v]),
  );
}
