import type { ErrorClassification } from './error-classification.js';
import { classifyStatus } from './classify-status.js';
import { extractErrorDetails } from './extract-error-details.js';
import { isRecord, type UnknownRecord } from './read-error-fields.js';

/** Classifies a value found inside a line (the classifier the line came from, one level deeper). */
export type ClassifyNested = (value: unknown, depth: number) => ErrorClassification;

/**
 * Per-item errors from batch result files. Returns undefined when the value is not one of them.
 * OpenAI: `{ custom_id, response: { status_code, body }, error: { code, message } | null }`.
 * Anthropic: `{ custom_id, result: { type: 'errored', error: { type: 'error', error: { type, message } } } }`.
 */
export function classifyBatchLine(value: UnknownRecord, depth: number, classifyNested: ClassifyNested): ErrorClassification | undefined {
  if (depth > 4) return undefined;
  // A whole line: look at the part that carries the failure.
  if ('custom_id' in value) {
    if (isRecord(value.result)) return classifyBatchLine(value.result, depth + 1, classifyNested) ?? classifyNested(value.result, depth + 1);
    if (isRecord(value.error)) return classifyNested(value.error, depth + 1);
    if (isRecord(value.response)) return classifyNested(value.response, depth + 1);
  }
  // An Anthropic result.
  if (value.type === 'errored' && isRecord(value.error)) return classifyNested(value.error, depth + 1);
  if (value.type === 'expired') return { category: 'expired', retryable: true, message: 'The request expired before it was processed' };
  if (value.type === 'canceled' || value.type === 'cancelled') {
    return { category: 'cancelled', retryable: false, message: 'The request was cancelled before it was processed' };
  }
  // An OpenAI `response` envelope of a failed line: `{ status_code, request_id, body: { error } }`.
  if (typeof value.status_code === 'number' && 'body' in value) {
    const details = extractErrorDetails(value.body);
    if (details.requestId === undefined && typeof value.request_id === 'string') details.requestId = value.request_id;
    return classifyStatus(value.status_code, details, undefined, value);
  }
  return undefined;
}
