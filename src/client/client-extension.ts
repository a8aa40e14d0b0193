import type { BatchJob } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { Usage } from '../models/usage.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore } from '../store/batch-store.js';

/**
 * A seam for features that ride along every job without the client knowing them: cost and
 * budgets, structured output. Each hook is optional.
 */
export interface ClientExtension {
  /** A change applied to every valid request before it is stored (e.g. the structured-output format). */
  transformRequest?(options: Readonly<Record<string, unknown>>): ((request: BatchRequest) => BatchRequest) | undefined;
  /** Runs after planning and before anything is persisted or sent; may throw to refuse the job. */
  beforeSubmit?(context: {
    job: BatchJob;
    options: Readonly<Record<string, unknown>>;
    provider: BatchProvider;
    store: BatchStore;
  }): void | Promise<void>;
  /** Rewrites a result before it is journaled (e.g. parse and validate structured output). */
  prepareResult?(result: BatchResult, job: BatchJob): BatchResult;
  /** The cost of a job's results, or undefined when unknown. */
  costOf?(context: { job: BatchJob; results: readonly BatchResult[]; usage: Usage }): number | undefined;
}
