import { ApiCallError } from './api-call-error.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import type { ClassifyNested } from './classify-batch-line.js';
import type { ErrorClassification } from './error-classification.js';
import { JobNotFoundError } from './job-not-found-error.js';
import type { LlmBatchError } from './llm-batch-error.js';
import { ValidationError } from './validation-error.js';

/** This library's own errors: each subclass names its category; an `ApiCallError` keeps what its cause knows. */
export function classifyOwnError(ownError: LlmBatchError, depth: number, classifyNested: ClassifyNested): ErrorClassification {
  // `unknown`, so that a failed structural type guard does not narrow the rest to `never`.
  const error: unknown = ownError;
  if (ValidationError.isInstance(error)) {
    return { category: 'validation', retryable: false, message: error.message, code: error.code };
  }
  if (BudgetExceededError.isInstance(error)) {
    return { category: 'budget', retryable: false, message: error.message, code: error.code };
  }
  if (JobNotFoundError.isInstance(error)) {
    return { category: 'not_found', retryable: false, message: error.message, code: error.code };
  }
  if (ApiCallError.isInstance(error)) {
    // The wrapped provider error still knows the server's retry-after, code and type.
    const cause = error.cause !== undefined && depth < 4 ? classifyNested(error.cause, depth + 1) : undefined;
    const classification: ErrorClassification = {
      category: error.category,
      retryable: error.category === 'cancelled' ? false : error.retryable,
      message: error.message,
    };
    const statusCode = error.statusCode ?? cause?.statusCode;
    if (statusCode !== undefined) classification.statusCode = statusCode;
    const requestId = error.requestId ?? cause?.requestId;
    if (requestId !== undefined) classification.requestId = requestId;
    if (cause?.code !== undefined) classification.code = cause.code;
    if (cause?.type !== undefined) classification.type = cause.type;
    if (cause?.retryAfterMs !== undefined) classification.retryAfterMs = cause.retryAfterMs;
    return classification;
  }
  return { category: 'unknown', retryable: false, message: ownError.message, code: ownError.code };
}
