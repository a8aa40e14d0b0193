import type { ErrorClassification } from './error-classification.js';
import { classifyHttpError } from './classify-status.js';
import { isRecord, messageOf, type UnknownRecord } from './read-error-fields.js';

type ClassifyNested = (error: unknown, depth: number) => ErrorClassification;

/** True for an error of the AI SDK (`ai`, `@ai-sdk/*`), recognised by its name as every version sets it. */
function aiSdkErrorName(error: UnknownRecord): string | undefined {
  const name = error.name;
  return typeof name === 'string' && name.startsWith('AI_') ? name : undefined;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The AI SDK's errors, without importing it: an `APICallError` (`statusCode`, `responseHeaders`,
 * `data` or `responseBody`) is classified like any HTTP error (status table, provider details,
 * `retry-after`, `x-should-retry`); a `RetryError` by its last error (an abort as `cancelled`); an
 * `APICallError` without a status (no answer) by its cause. Undefined for anything else.
 */
export function classifyAiSdkError(error: UnknownRecord, depth: number, classifyNested: ClassifyNested): ErrorClassification | undefined {
  const name = aiSdkErrorName(error);
  if (name === undefined) return undefined;
  if (name === 'AI_RetryError') {
    if (error.reason === 'abort') return { category: 'cancelled', retryable: false, message: messageOf(error) ?? 'The operation was aborted' };
    if (error.lastError !== undefined && depth < 4) return classifyNested(error.lastError, depth + 1);
    return undefined;
  }
  if (name !== 'AI_APICallError') return undefined;
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  const headers = isRecord(error.responseHeaders) ? (error.responseHeaders as Record<string, string>) : undefined;
  if (statusCode === undefined) {
    if (error.cause !== undefined && depth < 4) {
      const cause = classifyNested(error.cause, depth + 1);
      if (cause.category !== 'unknown') return cause;
    }
    return { category: 'network', retryable: error.isRetryable !== false, message: messageOf(error) ?? 'The call got no answer' };
  }
  const body = error.data ?? parseBody(error.responseBody);
  // The details are read from the provider's body ({ error: { message, type, code } }), like an SDK's.
  const shaped: UnknownRecord = { message: messageOf(error), ...(isRecord(body) ? { error: isRecord(body.error) ? body.error : body } : {}) };
  return classifyHttpError(shaped, statusCode, headers);
}
