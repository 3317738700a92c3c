// The InferenceService object as a whole (apiVersion, kind, metadata, spec, status) and the one
// function that validates it at the edge: parseInferenceService.
import { z } from 'zod';
import { OperatorError } from '../errors.ts';
import { describeIssues } from './issues.ts';
import { withRules } from './rules.ts';
import {
  type InferenceServiceSpec,
  inferenceServiceSpecSchema,
  type SizingSpec,
  type SizingSpecInput,
  sizingSpecSchema,
} from './spec.ts';
import { type InferenceServiceStatus, inferenceServiceStatusSchema } from './status.ts';

export const API_GROUP = 'ovfleet.io';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const KIND = 'InferenceService';
export const LIST_KIND = 'InferenceServiceList';
export const PLURAL = 'inferenceservices';
export const SINGULAR = 'inferenceservice';
export const SHORT_NAMES = ['ovis'] as const;
export const CATEGORIES = ['ovfleet'] as const;

const metadataSchema = z
  .object({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    uid: z.string().optional(),
    generation: z.int().optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .loose();

export const inferenceServiceSchema = withRules(
  z.object({
    apiVersion: z.literal(API_GROUP_VERSION),
    kind: z.literal(KIND),
    metadata: metadataSchema,
    spec: inferenceServiceSpecSchema,
    status: inferenceServiceStatusSchema.optional(),
  }),
  'root',
);

export type InferenceServiceMetadata = z.output<typeof metadataSchema>;
export type InferenceServiceInput = z.input<typeof inferenceServiceSchema>;
export interface InferenceService {
  readonly apiVersion: typeof API_GROUP_VERSION;
  readonly kind: typeof KIND;
  readonly metadata: InferenceServiceMetadata;
  readonly spec: InferenceServiceSpec;
  readonly status?: InferenceServiceStatus;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates an InferenceService (defaults applied, result deeply frozen). Throws OperatorError
 * OVF_ERR_SPEC_INVALID whose message has one line per problem, each naming the field and the rule.
 */
export function parseInferenceService(input: unknown): InferenceService {
  const parsed = inferenceServiceSchema.safeParse(input);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error, input);
    throw new OperatorError('OVF_ERR_SPEC_INVALID', lines.join('\n'), { cause: parsed.error });
  }
  return deepFreeze(parsed.data as InferenceService);
}

/**
 * Validates only the sizing fields (objective, budget, overrides, node, device, threading, runtime),
 * as `ovfleet plan` does for flags. `prefix` names where they came from in messages.
 */
export function parseSizingSpec(input: SizingSpecInput, prefix: readonly string[] = ['spec']): SizingSpec {
  const parsed = sizingSpecSchema.safeParse(input);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error, input, prefix);
    throw new OperatorError('OVF_ERR_SPEC_INVALID', lines.join('\n'), { cause: parsed.error });
  }
  return deepFreeze(parsed.data);
}
