import type { ErrorCategory } from '../models/item-error.js';
import type { ApiErrorDetails } from './extract-error-details.js';

// Anthropic `error.type`s and OpenAI `type`/`code`s that decide the category on their own.
const categoryByType: Readonly<Record<string, ErrorCategory>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'auth',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'invalid_request',
  rate_limit_error: 'rate_limit',
  rate_limit_exceeded: 'rate_limit',
  timeout_error: 'timeout',
  api_error: 'server',
  server_error: 'server',
  conflict_error: 'server',
  overloaded_error: 'overloaded',
  billing_error: 'insufficient_quota',
  insufficient_quota: 'insufficient_quota',
  invalid_api_key: 'auth',
  model_not_found: 'not_found',
  batch_expired: 'expired',
  batch_cancelled: 'cancelled',
  context_length_exceeded: 'context_length',
  content_filter: 'content_filter',
  content_policy_violation: 'content_filter',
  invalid_prompt: 'content_filter',
};

// Quota and spend-cap errors arrive as 429s (OpenAI) or 400/402s; retrying them only burns time.
const quotaCodes = new Set([
  'insufficient_quota',
  'organization_usage_limit_exceeded',
  'billing_hard_limit_reached',
  'billing_error',
  'enforced_spend_limit_reached',
  'spend_limit_reached',
]);
const quotaMessage =
  /exceeded your current quota|usage limit|spend(ing)? limit|credit balance is too low|billing hard limit/i;

const contextLengthCodes = new Set(['context_length_exceeded', 'string_above_max_length']);
const contextLengthMessage =
  /context[ _-]?(length|window)|prompt is too long|maximum context length|input is too long|too many input tokens/i;

/** Whether a provider code says the account's quota or spend cap is reached. */
export function isQuotaCode(code: string): boolean {
  return quotaCodes.has(code);
}

/** The categories that a type, code or message decides better than the status does. */
export function mapDetailsToCategory(details: ApiErrorDetails, statusCode: number | undefined): ErrorCategory | undefined {
  const { type, code, message = '' } = details;
  const isClientError = statusCode === undefined || (statusCode >= 400 && statusCode < 500);
  if (isClientError) {
    if ((code !== undefined && quotaCodes.has(code)) || (type !== undefined && quotaCodes.has(type))) {
      return 'insufficient_quota';
    }
    if (statusCode === 429 || type === 'rate_limit_error' || statusCode === 402 || statusCode === 403) {
      if (quotaMessage.test(message)) return 'insufficient_quota';
    }
    if (code !== undefined && contextLengthCodes.has(code)) return 'context_length';
    if (statusCode !== 429 && statusCode !== 401 && statusCode !== 403 && contextLengthMessage.test(message)) {
      if (type === undefined || type === 'invalid_request_error' || type === 'request_too_large') return 'context_length';
    }
  }
  if (type === 'overloaded_error' || code === 'overloaded_error') return 'overloaded';
  if (statusCode !== undefined) {
    // Only these refine a status; other types (e.g. OpenAI's `invalid_request_error` on a 401) do not.
    if (code === 'batch_expired') return 'expired';
    const refined = code !== undefined ? categoryByType[code] : undefined;
    if (refined === 'content_filter') return refined;
    return undefined;
  }
  const fromCode = code !== undefined ? categoryByType[code] : undefined;
  if (fromCode !== undefined) return fromCode;
  return type !== undefined ? categoryByType[type] : undefined;
}
