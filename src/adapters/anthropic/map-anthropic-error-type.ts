import type { ItemError } from '../../models/item-error.js';

/** How each Anthropic error `type` is classified: category, retryability and the HTTP status it stands for. */
const errorTypes: Readonly<Record<string, { category: ItemError['category']; retryable: boolean; statusCode: number }>> = {
  invalid_request_error: { category: 'invalid_request', retryable: false, statusCode: 400 },
  authentication_error: { category: 'auth', retryable: false, statusCode: 401 },
  billing_error: { category: 'insufficient_quota', retryable: false, statusCode: 402 },
  permission_error: { category: 'permission', retryable: false, statusCode: 403 },
  not_found_error: { category: 'not_found', retryable: false, statusCode: 404 },
  request_too_large: { category: 'invalid_request', retryable: false, statusCode: 413 },
  rate_limit_error: { category: 'rate_limit', retryable: true, statusCode: 429 },
  api_error: { category: 'server', retryable: true, statusCode: 500 },
  timeout_error: { category: 'timeout', retryable: true, statusCode: 504 },
  overloaded_error: { category: 'overloaded', retryable: true, statusCode: 529 },
};

// Anthropic reports an over-long prompt as a plain invalid_request_error; only the message tells.
const contextLengthPattern = /prompt is too long|context (window|length)|too many tokens/i;

/**
 * Maps the nested error of an `errored` batch line (`result.error.error`) to an `ItemError`.
 * `invalid_request_error` is not retryable; `overloaded_error`, `api_error`, `rate_limit_error` and
 * `timeout_error` are. An unknown type is `unknown` and retryable (the item may well pass next time).
 */
export function mapAnthropicErrorType(type: string | undefined, message: string | undefined): ItemError {
  const known = type === undefined ? undefined : errorTypes[type];
  const text = message ?? type ?? 'unknown error';
  const error: ItemError = known
    ? { category: known.category, retryable: known.retryable, statusCode: known.statusCode, message: text }
    : { category: 'unknown', retryable: true, message: text };
  if (type !== undefined) error.type = type;
  if (known?.category === 'invalid_request' && contextLengthPattern.test(text)) error.category = 'context_length';
  return error;
}
