import { z } from 'zod';
import { costEstimateSchema, type CostEstimate } from './cost-estimate.js';
import { usageSchema, type Usage } from './usage.js';

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

export const jobModes = ['native', 'emulated'] as const;
export type JobMode = (typeof jobModes)[number];

/**
 * The price a job's calls are billed at: `batch` (the model's batch discount, a native batch API)
 * or `sync` (the synchronous price). An adapter's `billing`; by default its mode's (`native`:
 * `batch`, `emulated`: `sync`).
 */
export const jobBillings = ['batch', 'sync'] as const;
export type JobBilling = (typeof jobBillings)[number];

/** A part as the store keeps it: the public {@link BatchPart} plus what the client needs to carry it on. */
export const partManifestSchema = z.object({
  id: z.string(),
  index: z.number().int().nonnegative(),
  providerBatchId: z.string().optional(),
  status: jobStatusSchema,
  rawStatus: z.string().optional(),
  requestCount: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative().optional(),
  model: z.string().optional(),
  /**
   * The registry name of the provider this part runs on, when it is not the client's (a request
   * whose model named it: `anthropic:claude-...`). Absent in manifests written before mixed jobs.
   */
  provider: z.string().optional(),
  /**
   * The mode of this part, when it is not the job's: in a mixed-provider job, a provider whose
   * config sets another mode (`providers.anthropic.mode: emulated`). Absent: the job's mode.
   */
  mode: z.enum(jobModes).optional(),
  /**
   * An attached batch whose requests the provider does not give back (Anthropic): its results are
   * kept under the ids they carry, in the order they come, and it cannot be retried.
   */
  requestsUnknown: z.boolean().optional(),
  /**
   * How many of the part's requests carry `metadata`. At 0 a result that comes without metadata
   * needs no look-up in the requests file. Absent in manifests written before it: looked up.
   */
  requestsWithMetadata: z.number().int().nonnegative().optional(),
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
export type PartManifest = z.infer<typeof partManifestSchema>;

/** A job's priority (`submit({ priority })`): stored, shown, and sent as provider batch metadata. */
export const jobPriorities = ['low', 'normal', 'high'] as const;
export type JobPriority = (typeof jobPriorities)[number];

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

/**
 * A batch job as the store keeps it (`job.json`): the public {@link BatchJob} plus the store's
 * internals (provider references, submission states, the submit options). Custom stores save and
 * load it as it is; the client returns the {@link BatchJob} view of it.
 */
export const jobManifestSchema = z.object({
  id: z.string(),
  provider: z.string(),
  mode: z.enum(jobModes),
  status: jobStatusSchema,
  counts: jobCountsSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().optional(),
  parts: z.array(partManifestSchema),
  metadata: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
  estimate: costEstimateSchema.optional(),
  usage: usageSchema.optional(),
  costUsd: z.number().optional(),
  options: storedJobOptionsSchema.optional(),
  /** For a job made by `retry()`: the job it retries. */
  retryOf: z.string().optional(),
  /** For a job that `retry()` retried: the retry job (a job is retried once; retry the retry job next). */
  retriedBy: z.string().optional(),
  /** When someone asked to cancel the job (from any process). */
  cancelRequestedAt: z.string().optional(),
  /** The `priority` given at submit. */
  priority: z.enum(jobPriorities).optional(),
  /**
   * How the adapter's calls are billed, stored only when it is not the mode's default (a
   * `distributed()` job: `native` lifecycle, `sync` prices), so that any process prices the job
   * alike. Absent: `batch` for a native job, `sync` for an emulated one.
   */
  billing: z.enum(jobBillings).optional(),
  /**
   * A job submitted with `intake: 'streaming'`: `streaming` while its input is still being read
   * (calls already going), `streamed` once it was read to its end or cut off. Absent: the default
   * intake, every request checked and stored before the first call.
   */
  intake: z.enum(['streaming', 'streamed']).optional(),
});
export type JobManifest = z.infer<typeof jobManifestSchema>;

/**
 * One part of a job as the client shows it: one provider batch, or one emulated run. A job is split
 * into parts by the provider's limits (requests, bytes, one model per batch).
 */
export interface BatchPart {
  readonly id: string;
  /** Normalised status; unknown provider states map to a running one. */
  readonly status: JobStatus;
  /** The provider's own status, as it said it (`in_progress`, `ended`, `canceling` ...). */
  readonly rawStatus?: string;
  /** The provider's batch id (`batch_...`, `msgbatch_...`), once the batch exists. */
  readonly providerBatchId?: string;
  /** The model of the part's requests, when the provider needs one model per batch. */
  readonly model?: string;
  /** In a mixed-provider job: the provider of this part, when it is not the job's first. */
  readonly provider?: string;
  /** In a mixed-provider job: the mode of this part, when it is not the job's (`job.mode`). */
  readonly mode?: JobMode;
  readonly requestCount: number;
  /** Item counts, once the provider reports them or results are in. */
  readonly counts?: Readonly<JobCounts>;
  /** Why the part failed or could not be submitted (redacted). */
  readonly error?: string;
}

/**
 * A batch job as the client returns it (`submit`, `status`, `wait`, `cancel`, `resume`, `retry`,
 * `list` and `onProgress`): a read-only copy, without the store's internals. Changing it changes
 * nothing; ask the client again for a fresh one.
 *
 * @example
 * const job = await client.status(jobId);
 * console.log(job.status, `${job.counts.succeeded}/${job.counts.total}`, job.parts.map((part) => part.providerBatchId));
 */
export interface BatchJob {
  readonly id: string;
  /** The adapter's name (`openai`, `anthropic`; for an emulated job, its call strategy's). */
  readonly provider: string;
  readonly mode: JobMode;
  /** Derived from the parts': running while any part runs, then completed, expired, cancelled or failed. */
  readonly status: JobStatus;
  /** Item counts over all parts; always sums to `total`. */
  readonly counts: Readonly<JobCounts>;
  /** ISO 8601 times. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When the job ended: every part terminal and every result in the store, so `results()` and
   * `aggregate()` read the store alone. Unset while it runs, and while a part whose submission
   * failed waits for `resume`.
   */
  readonly endedAt?: string;
  /**
   * Set when another client (another process, or another client object) drives the job: the job is
   * then as that driver last stored it, and `resume` or `retry` here would throw `JobLeasedError`.
   */
  readonly drivenBy?: { readonly pid: number; readonly host: string; readonly since: string };
  readonly parts: readonly BatchPart[];
  /** The `metadata` given at submit. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Things worth knowing that did not fail the job (dropped parameters, unknown prices ...), redacted. */
  readonly warnings: readonly string[];
  /** The cost estimate made at submit. */
  readonly estimate?: Readonly<CostEstimate>;
  /** The token usage of every paid call, stored once the results have been aggregated. */
  readonly usage?: Readonly<Usage>;
  /** What that usage cost, stored with it when every model has a price. */
  readonly costUsd?: number;
  /** For a job made by `retry()`: the job it retries. */
  readonly retryOf?: string;
  /** For a job that was retried: the retry job (retry that one next). */
  readonly retriedBy?: string;
  /** When someone asked to cancel the job (from any process). */
  readonly cancelRequestedAt?: string;
  /** The `priority` given at submit (unset: normal). */
  readonly priority?: JobPriority;
}

/** The mode a part runs in: its own (a part of a mixed job whose provider runs in another mode), else the job's. */
export function partMode(job: Pick<JobManifest, 'mode'>, part: { readonly mode?: JobMode | undefined }): JobMode {
  return part.mode ?? job.mode;
}

/** The default billing of a mode: `batch` for native, `sync` for emulated. */
export function defaultBilling(mode: JobMode): JobBilling {
  return mode === 'native' ? 'batch' : 'sync';
}

/** How an adapter is billed: its `billing`, else its mode's default. */
export function billingOf(provider: { readonly mode: JobMode; readonly billing?: JobBilling | undefined }): JobBilling {
  return provider.billing ?? defaultBilling(provider.mode);
}

/**
 * The mode that prices an adapter's or a job's calls (the `mode` of `computeCost` and
 * `estimateCost`): `native` (batch discount) when it is billed `batch`, else `emulated` (sync price).
 */
export function pricingMode(of: { readonly mode: JobMode; readonly billing?: JobBilling | undefined }): JobMode {
  return billingOf(of) === 'batch' ? 'native' : 'emulated';
}
