// Implemented in the errors/retry work item; signature pinned here for every module that uses it.
import type { ErrorClassification } from '../errors/classify-error.js';

export interface RetryContext {
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  readonly error: unknown;
  readonly classification: ErrorClassification;
  /** Time since the first attempt started. */
  readonly elapsedMs: number;
}

/** A retry policy is a value: whether to try again, and after how long. */
export interface RetryStrategy {
  shouldRetry(context: RetryContext): boolean;
  delayMs(context: RetryContext): number;
}
