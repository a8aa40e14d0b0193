import type { JobManifest } from '../models/batch-job.js';
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
  /**
   * Called once per submit, before planning: the returned observer sees every valid request as the
   * planner stores it, so the extension needs no second read of the requests. May throw to refuse
   * the job before anything is stored (a bad option, say).
   */
  observePlanning?(context: { options: Readonly<Record<string, unknown>>; provider: BatchProvider }): PlanningObserver | undefined;
  /**
   * Runs after planning and before anything is persisted or sent; may throw to refuse the job.
   * `observer` is what `observePlanning` returned for this submit.
   */
  beforeSubmit?(context: {
    job: JobManifest;
    options: Readonly<Record<string, unknown>>;
    provider: BatchProvider;
    store: BatchStore;
    observer?: PlanningObserver | undefined;
  }): void | Promise<void>;
  /**
   * A streaming intake (`intake: 'streaming'`) has read its whole input: what `beforeSubmit` could
   * not know yet, such as the estimate of the requests read. `observer` saw every request stored.
   */
  afterStreamedIntake?(context: { job: JobManifest; options: Readonly<Record<string, unknown>>; provider: BatchProvider; observer?: PlanningObserver | undefined }): void;
  /** Rewrites a result before it is journaled (e.g. parse and validate structured output). */
  prepareResult?(result: BatchResult, job: JobManifest): BatchResult;
  /** The cost of a job's results, or undefined when unknown. */
  costOf?(context: { job: JobManifest; results: readonly BatchResult[]; usage: Usage }): number | undefined;
}

/** Sees the requests of one submit as they are planned (in input order, after any transform). */
export interface PlanningObserver {
  observe(request: BatchRequest): void | Promise<void>;
}
