import type { ErrorCategory } from '../models/item-error.js';
import { LlmBatchError } from './llm-batch-error.js';

/** A provider call that failed for the job as a whole (not one item's failure, which is data). */
export class ApiCallError extends LlmBatchError {
  readonly provider: string;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly category: ErrorCategory;

  constructor(
    message: string,
    details: {
      provider: string;
      statusCode?: number;
      requestId?: string;
      retryable: boolean;
      category: ErrorCategory;
      cause?: unknown;
    },
  ) {
    super(message, { code: 'api_call_error', cause: details.cause });
    this.name = 'ApiCallError';
    this.provider = details.provider;
    this.statusCode = details.statusCode;
    this.requestId = details.requestId;
    this.retryable = details.retryable;
    this.category = details.category;
  }

  static override isInstance(error: unknown): error is ApiCallError {
    return LlmBatchError.isInstance(error) && error.code === 'api_call_error';
  }
}
