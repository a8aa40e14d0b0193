import type { BatchResult } from './batch-result.js';
import type { CostEstimate } from './cost-estimate.js';
import type { JobCounts, JobStatus } from './batch-job.js';
import type { Usage } from './usage.js';

/** A finished job summed up: counts, usage, cost and every result in input order. */
export interface BatchAggregate<T = unknown> {
  jobId: string;
  status: JobStatus;
  counts: JobCounts;
  usage: Usage;
  /** Cost from reported usage; undefined when a model's price is unknown. */
  costUsd: number | undefined;
  /** The cost in the client's display currency (`createBatchClient({ currency })`), when both are known. */
  converted?: { readonly currency: string; readonly perUsd: number; readonly cost: number };
  estimate?: CostEstimate;
  elapsedMs: number;
  results: BatchResult<T>[];
}
