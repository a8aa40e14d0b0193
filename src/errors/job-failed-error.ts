import type { BatchAggregate } from '../models/batch-aggregate.js';
import { LlmBatchError } from './llm-batch-error.js';

/**
 * `run(requests, { throwOnFailure: true })` rejects with this when the job ended `failed` (a
 * fail-fast stop, an `abortOn` category, a part the provider failed). It carries the partial
 * aggregate: every result that was stored, with counts, usage and cost.
 */
export class JobFailedError<T = unknown> extends LlmBatchError {
  readonly jobId: string;
  /** The job's aggregate as it ended: what succeeded is in it too. */
  readonly aggregate: BatchAggregate<T>;

  constructor(aggregate: BatchAggregate<T>, reason?: string) {
    const { succeeded, failed, cancelled, expired } = aggregate.counts;
    super(
      `Job ${aggregate.jobId} ended failed${reason === undefined ? '' : `: ${reason}`} (${succeeded} succeeded, ${failed} failed, ${cancelled} cancelled, ${expired} expired); the partial results are on error.aggregate`,
      { code: 'job_failed' },
    );
    this.name = 'JobFailedError';
    this.jobId = aggregate.jobId;
    this.aggregate = aggregate;
  }

  static override isInstance(error: unknown): error is JobFailedError {
    return LlmBatchError.isInstance(error) && error.code === 'job_failed';
  }
}
