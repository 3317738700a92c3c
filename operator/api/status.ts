// The InferenceService status: what the controller observed and applied. Written only by the
// controller (status subresource); printer columns read from it.
import { z } from 'zod';
import type { Plan } from '../sizing/types.ts';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

export const conditionSchema = z
  .object({
    type: z.string().min(1).describe('Condition type: Ready, Progressing, Degraded, PlanFits, …'),
    status: z.enum(CONDITION_STATUSES).describe('True, False or Unknown.'),
    reason: z.string().min(1).describe('CamelCase reason for the last transition.'),
    message: z.string().describe('Human-readable detail.'),
    lastTransitionTime: z.iso.datetime().describe('When status last changed (RFC 3339).'),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe('metadata.generation the condition was computed from.'),
  })
  .strict();
export type Condition = z.output<typeof conditionSchema>;

export const planSummarySchema = z
  .object({
    replicas: z.int().min(0).describe('Instances planned.'),
    vcpusPerInstance: z.int().min(0).describe('vCPUs per instance (request = limit).'),
    vpusPerInstance: z.int().min(0).describe('VPUs per instance.'),
    nireq: z.int().min(0).describe('Infer requests per instance.'),
    streams: z.string().describe('OpenVINO NUM_STREAMS per instance.'),
    threads: z.string().describe('OpenVINO INFERENCE_NUM_THREADS per instance.'),
    grpcWorkers: z.int().min(0).describe('gRPC workers per instance.'),
    restWorkers: z.int().min(0).describe('REST workers per instance.'),
    fits: z.boolean().describe('True when the plan breaks none of its invariants.'),
    hash: z.string().describe('Hash of the full plan; changes roll the pods.'),
  })
  .strict()
  .describe('Summary of the applied plan.');
export type PlanSummary = z.output<typeof planSummarySchema>;

export const inferenceServiceStatusSchema = z
  .object({
    observedGeneration: z.int().min(0).optional().describe('metadata.generation last reconciled.'),
    conditions: z
      .array(conditionSchema)
      .optional()
      .describe('Ready, Progressing, Degraded and domain conditions.'),
    plan: planSummarySchema.optional(),
    replicas: z.int().min(0).optional().describe('Pods the Deployment has (for the scale subresource).'),
    readyReplicas: z.int().min(0).optional().describe('Pods ready to serve.'),
    selector: z
      .string()
      .optional()
      .describe('Label selector of the pods, as a string (for the scale subresource).'),
    endpoints: z
      .object({
        grpc: z.string().optional().describe('host:port of the gRPC endpoint (the Service).'),
        rest: z.string().optional().describe('http://host:port of the REST endpoint (the Service).'),
      })
      .strict()
      .optional()
      .describe('Where clients reach the model.'),
  })
  .strict()
  .describe('Observed state, written by the controller.');
export type InferenceServiceStatus = z.output<typeof inferenceServiceStatusSchema>;

/** The plan as status carries it; `hash` is computed by the caller (render's plan hash). */
export function summarizePlan(plan: Plan, hash: string): PlanSummary {
  return {
    replicas: plan.replicas,
    vcpusPerInstance: plan.vcpusPerInstance,
    vpusPerInstance: plan.vpusPerInstance,
    nireq: plan.nireq,
    streams: plan.ovProperties.NUM_STREAMS ?? '',
    threads: plan.ovProperties.INFERENCE_NUM_THREADS ?? '',
    grpcWorkers: plan.grpcWorkers,
    restWorkers: plan.restWorkers,
    fits: plan.fits,
    hash,
  };
}
