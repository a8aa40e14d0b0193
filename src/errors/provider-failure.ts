import { isAbortError } from './abort-error.js';
import { ApiCallError } from './api-call-error.js';
import { classifyError } from './classify-error.js';
import { LlmBatchError } from './llm-batch-error.js';

/**
 * What the client throws for a provider call that failed for the job as a whole: an
 * `ApiCallError`, never the SDK's own error, whose message, body and headers may hold the key. The
 * classification (redacted, HTML pages condensed) keeps what a caller needs: the message, the
 * category, the status and whether a retry may help. Our own errors and aborts pass through.
 */
export function providerFailure(error: unknown, provider: string, context: string): unknown {
  if (LlmBatchError.isInstance(error) || isAbortError(error)) return error;
  const classification = classifyError(error);
  return new ApiCallError(`${context}: ${classification.message}`, {
    provider,
    retryable: classification.retryable,
    category: classification.category,
    ...(classification.statusCode === undefined ? {} : { statusCode: classification.statusCode }),
    ...(classification.requestId === undefined ? {} : { requestId: classification.requestId }),
  });
}
