import { LlmBatchError } from './llm-batch-error.js';

/** No job with this id in the store. */
export class JobNotFoundError extends LlmBatchError {
  readonly jobId: string;

  constructor(jobId: string) {
    super(`Job "${jobId}" not found in the store`, { code: 'job_not_found' });
    this.name = 'JobNotFoundError';
    this.jobId = jobId;
  }

  static override isInstance(error: unknown): error is JobNotFoundError {
    return LlmBatchError.isInstance(error) && error.code === 'job_not_found';
  }
}
