import { z } from 'zod';
import { costEstimateSchema } from './cost-estimate.js';
import { usageSchema } from './usage.js';

export const jobStatuses = [
  'validating',
  'in_progress',
  'finalizing',
  'completed',
  'failed',
  'expired',
  'cancelling',
  'cancelled',
] as const;
export const jobStatusSchema = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const terminalJobStatuses: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** True for completed, failed, expired and cancelled. */
export function isTerminalStatus(status: JobStatus): boolean {
  return terminalJobStatuses.has(status);
}

/** Item counts; always sums to `total`. */
export const jobCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  expired: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});
export type JobCounts = z.infer<typeof jobCountsSchema>;

/** A JSON-serialisable reference to the provider's side of a part (batch id, file ids ...). Never holds secrets. */
export const providerReferenceSchema = z.record(z.string(), z.unknown());
export type ProviderReference = z.infer<typeof providerReferenceSchema>;

/**
 * How far the submission of a part got. `submitting` is written before the provider call that
 * creates a batch, so a crash in between is detected on resume and never blindly repeated.
 */
export const partSubmitStateSchema = z.enum(['planned', 'submitting', 'submitted']);
export type PartSubmitState = z.infer<typeof partSubmitStateSchema>;

export const batchPartSchema = z.object({
  id: z.string(),
  index: z.number().int().nonnegative(),
  providerBatchId: z.string().optional(),
  status: jobStatusSchema,
  rawStatus: z.string().optional(),
  requestCount: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative().optional(),
  model: z.string().optional(),
  submitState: partSubmitStateSchema,
  /** What the adapter stored about this part (file ids, batch id ...). */
  reference: providerReferenceSchema.optional(),
  /** Counts reported by the provider while running. */
  counts: jobCountsSchema.optional(),
  usage: usageSchema.optional(),
  error: z.string().optional(),
  /** True once every result of this part is in the store's journal. */
  resultsStored: z.boolean(),
});
export type BatchPart = z.infer<typeof batchPartSchema>;

export const jobModes = ['native', 'emulated'] as const;
export type JobMode = (typeof jobModes)[number];

/** The submit options persisted with a job (what `resume` and `retry` need to carry on). */
export const storedJobOptionsSchema = z.object({
  model: z.string().optional(),
  completionWindow: z.string().optional(),
  /** JSON schema for structured output (zod schemas are converted before storing). */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  maxCostUsd: z.number().optional(),
  /** A custom pricing table given at submit, kept so that later processes price results alike. */
  pricing: z.record(z.string(), z.unknown()).optional(),
});
export type StoredJobOptions = z.infer<typeof storedJobOptionsSchema>;

/** A batch job as the store keeps it and as the client returns it. */
export const batchJobSchema = z.object({
  id: z.string(),
  provider: z.string(),
  mode: z.enum(jobModes),
  status: jobStatusSchema,
  counts: jobCountsSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().optional(),
  parts: z.array(batchPartSchema),
  metadata: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
  estimate: costEstimateSchema.optional(),
  usage: usageSchema.optional(),
  costUsd: z.number().optional(),
  options: storedJobOptionsSchema.optional(),
  /** For a job made by `retry()`: the job it retries. */
  retryOf: z.string().optional(),
  /** When someone asked to cancel the job (from any process). */
  cancelRequestedAt: z.string().optional(),
});
export type BatchJob = z.infer<typeof batchJobSchema>;
