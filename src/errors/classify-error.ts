import type { ItemError } from '../models/item-error.js';
import { isAbortError } from './abort-error.js';
import { classifyAiSdkError } from './classify-ai-sdk-error.js';
import { classifyBatchLine } from './classify-batch-line.js';
import { classifyNetworkError } from './classify-network-error.js';
import { classifyOwnError } from './classify-own-error.js';
import { classifyDetails, classifyHttpError } from './classify-status.js';
import { condenseHtmlPage } from './condense-html-page.js';
import type { ErrorClassification } from './error-classification.js';
import { itemErrorFromClassification } from './item-error-from-classification.js';
import { LlmBatchError } from './llm-batch-error.js';
import { headersOf, isRecord, messageOf, statusOf } from './read-error-fields.js';
import { redactSecrets } from './redact-secrets.js';

// Kept here too: most callers (the public entry point among them) import these from this module.
export { redactSecrets } from './redact-secrets.js';
export { condenseHtmlPage } from './condense-html-page.js';
export type { ErrorClassification } from './error-classification.js';

/**
 * Maps any error to a category and a retry decision. No I/O; it reads only `Date.now()` (for
 * `retry-after` HTTP dates) and the key variables of the environment (to mask their values).
 *
 * Understands, without importing any SDK: `openai` and `@anthropic-ai/sdk` `APIError`s (status,
 * headers, body), the AI SDK's `APICallError` (status, response headers, body) and `RetryError`
 * (by its last error), their connection, timeout and user-abort errors, Node/undici network errors
 * (also inside `TypeError: fetch failed` causes), `AbortError`s, this library's own errors, and
 * the per-item errors found in batch result lines (an OpenAI output/error line or its `response`
 * or `error`, an Anthropic `errored` result or its `error`).
 *
 * Headers win over the status table: `x-should-retry` overrides `retryable`, and `retry-after-ms`
 * / `retry-after` become `retryAfterMs`. Messages are passed through `redactSecrets` (no key survives)
 * and a whole HTML error page in them is shortened to its title and size.
 *
 * @example
 * try { await client.batches.retrieve(id); }
 * catch (error) { const { category, retryable, retryAfterMs } = classifyError(error); }
 */
export function classifyError(error: unknown): ErrorClassification {
  const classification = classifyUnredacted(error, 0);
  classification.message = redactSecrets(condenseHtmlPage(classification.message, classification.statusCode));
  return classification;
}

/**
 * The `ItemError` for a failed item: the classification without the request id (which belongs in
 * logs, not in results). Never contains an API key.
 */
export function toItemError(error: unknown): ItemError {
  return itemErrorFromClassification(classifyError(error));
}

/** The order of the checks: an abort, our own errors, a result line, an HTTP status, no answer, provider details, a garbled body. */
function classifyUnredacted(error: unknown, depth: number): ErrorClassification {
  if (isAbortError(error)) {
    return { category: 'cancelled', retryable: false, message: messageOf(error) ?? 'The operation was aborted' };
  }
  if (LlmBatchError.isInstance(error)) return classifyOwnError(error, depth, classifyUnredacted);
  if (!isRecord(error)) {
    return { category: 'unknown', retryable: false, message: error === undefined ? 'Unknown error' : String(error) };
  }

  const fromBatchLine = classifyBatchLine(error, depth, classifyUnredacted);
  if (fromBatchLine) return fromBatchLine;

  const fromAiSdk = classifyAiSdkError(error, depth, classifyUnredacted);
  if (fromAiSdk) return fromAiSdk;

  const statusCode = statusOf(error);
  const headers = headersOf(error);
  if (statusCode !== undefined) return classifyHttpError(error, statusCode, headers);

  const network = classifyNetworkError(error);
  if (network !== undefined) return network;

  const fromDetails = classifyDetails(error);
  if (fromDetails !== undefined) return fromDetails;

  // The SDKs parse a 200 body with JSON.parse: a cut-off or garbled body surfaces as a SyntaxError.
  // That is the server's fault, and asking again usually gets a whole answer.
  if (error instanceof SyntaxError || (error as { name?: unknown }).name === 'SyntaxError') {
    return { category: 'server', retryable: true, message: `The response body was not valid JSON: ${messageOf(error) ?? ''}`.trim() };
  }

  return { category: 'unknown', retryable: false, message: messageOf(error) ?? safeStringify(error) };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
