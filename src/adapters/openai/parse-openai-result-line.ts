import { toItemError } from '../../errors/classify-error.js';
import type { BatchResult } from '../../models/batch-result.js';
import { parseOpenAIResponseBody, parseUsage } from './parse-openai-response-body.js';

type Json = Record<string, unknown>;

/**
 * Turns one line of an OpenAI batch output or error file into a result. Returns undefined when the
 * value is not a result line (no `custom_id`).
 *
 * Success is `response.status_code` 2xx, not `error === null`: an HTTP failure of one request sits
 * in the error file with `error: null` and the OpenAI error in `response.body.error`.
 */
export function parseOpenAIResultLine(value: unknown): BatchResult | undefined {
  if (!isObject(value) || typeof value['custom_id'] !== 'string') return undefined;
  const id = value['custom_id'];
  const response = isObject(value['response']) ? value['response'] : undefined;
  const error = isObject(value['error']) ? value['error'] : undefined;
  const statusCode = typeof response?.['status_code'] === 'number' ? response['status_code'] : undefined;

  if (error === undefined && statusCode !== undefined && statusCode >= 200 && statusCode < 300) {
    if (!looksLikeResponseBody(response?.['body'])) {
      // A 2xx line without a completion, response or embedding body: reporting it as an empty
      // success would hide that the provider's output was damaged.
      return {
        id,
        status: 'failed',
        error: {
          category: 'server',
          message: `The result line has status ${statusCode} but its body is not a response (no choices, output or data)`,
          statusCode,
          retryable: true,
        },
      };
    }
    const parsed = parseOpenAIResponseBody(response?.['body']);
    const result: BatchResult = { id, status: 'succeeded', ...parsed };
    return result;
  }
  if (error?.['code'] === 'batch_expired') return { id, status: 'expired', error: toItemError(value) };
  if (error?.['code'] === 'batch_cancelled') {
    return { id, status: 'cancelled', error: { ...toItemError(value), category: 'cancelled', retryable: false } };
  }
  const failed: BatchResult = { id, status: 'failed', error: toItemError(value) };
  const body = isObject(response?.['body']) ? response['body'] : undefined;
  // A failed request can still have been billed (rare); keep the usage when the body has it.
  if (body !== undefined && isObject(body['usage'])) failed.usage = parseUsage(body['usage']);
  return failed;
}

function looksLikeResponseBody(body: unknown): boolean {
  return isObject(body) && (Array.isArray(body['choices']) || Array.isArray(body['output']) || Array.isArray(body['data']));
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
