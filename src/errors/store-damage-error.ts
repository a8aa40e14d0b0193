import { LlmBatchError } from './llm-batch-error.js';

/**
 * Something in the job store cannot be read: a manifest that is not a job, a journal line in the
 * middle of the file that is not a result. Never skipped silently, since a skipped result would
 * be run and paid again.
 */
export class StoreDamageError extends LlmBatchError {
  readonly jobId: string;
  /** The file (or key) that is damaged. */
  readonly location: string;
  /** 1-based line number, for journals. */
  readonly line: number | undefined;

  constructor(jobId: string, location: string, reason: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? location : `${location}, line ${options.line}`;
    super(`Job ${jobId}: the store is damaged at ${where}: ${reason}`, { code: 'store_damaged', cause: options.cause });
    this.name = 'StoreDamageError';
    this.jobId = jobId;
    this.location = location;
    this.line = options.line;
  }

  static override isInstance(error: unknown): error is StoreDamageError {
    return LlmBatchError.isInstance(error) && error.code === 'store_damaged';
  }
}
