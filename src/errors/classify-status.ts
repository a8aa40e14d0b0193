import type { ErrorCategory } from '../models/item-error.js';
import type { ErrorClassification } from './error-classification.js';
import { type ApiErrorDetails, extractErrorDetails } from './extract-error-details.js';
import { classifyGoogleError } from './classify-google-error.js';
import { isQuotaCode, mapDetailsToCategory } from './map-details-to-category.js';
import { type HeadersLike, parseRetryAfter, readHeader } from './parse-retry-after.js';
import { messageOf, type UnknownRecord } from './read-error-fields.js';
import { readGoogleError } from './read-google-error.js';

const retryableCategories = new Set<ErrorCategory>([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'expired',
]);

/** An error that carries an HTTP status (an SDK's `APIError`): its body's details, then its headers. */
export function classifyHttpError(error: UnknownRecord, statusCode: number, headers: HeadersLike | undefined): ErrorClassification {
  // Google (Gemini) errors are decided by their canonical status and details, not their wording.
  const google = readGoogleError(error);
  if (google !== undefined) {
    const classification = classifyGoogleError(google, statusCode);
    const fromHeaders = headers === undefined || !classification.retryable ? undefined : parseRetryAfter(headers);
    if (classification.retryAfterMs === undefined && fromHeaders !== undefined) classification.retryAfterMs = fromHeaders;
    return classification;
  }
  const details = extractErrorDetails(error);
  if (details.requestId === undefined && headers !== undefined) {
    details.requestId = readHeader(headers, 'x-request-id') ?? readHeader(headers, 'request-id');
  }
  // Anthropic's SDK exposes `details.error_code` (spend limits) as `errorCode`.
  if (typeof error.errorCode === 'string' && isQuotaCode(error.errorCode)) details.code ??= error.errorCode;
  return classifyStatus(statusCode, details, headers, error);
}

/**
 * An HTTP status with the provider's details: the details refine the status table, and the headers
 * win over both (`x-should-retry` overrides `retryable`; `retry-after-ms` / `retry-after` become
 * `retryAfterMs`).
 */
export function classifyStatus(
  statusCode: number,
  details: ApiErrorDetails,
  headers: HeadersLike | undefined,
  source: unknown,
): ErrorClassification {
  const category = mapDetailsToCategory(details, statusCode) ?? categoryFromStatus(statusCode);
  let retryable = retryableCategories.has(category);
  if (headers !== undefined) {
    const shouldRetry = readHeader(headers, 'x-should-retry')?.trim().toLowerCase();
    if (shouldRetry === 'true') retryable = true;
    if (shouldRetry === 'false') retryable = false;
  }
  const classification = withDetails({ category, retryable, statusCode }, details, source);
  const retryAfterMs = headers === undefined ? undefined : parseRetryAfter(headers);
  if (retryAfterMs !== undefined) classification.retryAfterMs = retryAfterMs;
  return classification;
}

/** An error without a status whose provider details (type, code, message) still name a category; else undefined. */
export function classifyDetails(error: UnknownRecord): ErrorClassification | undefined {
  const google = readGoogleError(error);
  if (google !== undefined) return classifyGoogleError(google);
  const details = extractErrorDetails(error);
  const category = mapDetailsToCategory(details, undefined);
  if (category === undefined) return undefined;
  return withDetails({ category, retryable: retryableCategories.has(category) }, details, error);
}

function categoryFromStatus(statusCode: number): ErrorCategory {
  switch (statusCode) {
    case 401:
      return 'auth';
    case 402:
      return 'insufficient_quota';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 409:
      return 'server';
    case 429:
      return 'rate_limit';
    case 504:
      return 'timeout';
    case 529:
      return 'overloaded';
    default:
      if (statusCode >= 500) return 'server';
      if (statusCode >= 400) return 'invalid_request';
      return 'unknown';
  }
}

function withDetails(
  base: Pick<ErrorClassification, 'category' | 'retryable'> & { statusCode?: number },
  details: ApiErrorDetails,
  source: unknown,
): ErrorClassification {
  const classification: ErrorClassification = {
    category: base.category,
    retryable: base.retryable,
    message: details.message ?? messageOf(source) ?? describeStatus(base.statusCode),
  };
  if (base.statusCode !== undefined) classification.statusCode = base.statusCode;
  if (details.code !== undefined) classification.code = details.code;
  if (details.type !== undefined) classification.type = details.type;
  if (details.requestId !== undefined) classification.requestId = details.requestId;
  return classification;
}

function describeStatus(statusCode: number | undefined): string {
  return statusCode === undefined ? 'Unknown error' : `HTTP ${statusCode}`;
}
