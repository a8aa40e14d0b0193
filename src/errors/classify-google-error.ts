import type { ErrorCategory } from '../models/item-error.js';
import type { ErrorClassification } from './error-classification.js';
import { httpStatusOfGoogleError, type GoogleError, type GoogleErrorDetail } from './read-google-error.js';

const retryInfoType = 'type.googleapis.com/google.rpc.RetryInfo';
const quotaFailureType = 'type.googleapis.com/google.rpc.QuotaFailure';
const errorInfoType = 'type.googleapis.com/google.rpc.ErrorInfo';

// ErrorInfo reasons that say the key is wrong (Gemini answers a bad key with 400 INVALID_ARGUMENT).
const authReasons = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'API_KEY_SERVICE_BLOCKED', 'ACCESS_TOKEN_EXPIRED']);
// A quota counted per day (or longer) does not come back within a run: retrying only burns time.
const longQuotaPattern = /per[-_ ]?(day|month)|daily/i;

const retryableCategories = new Set<ErrorCategory>(['rate_limit', 'overloaded', 'server', 'timeout', 'network']);

/**
 * Classifies a Google API error (Gemini) from its canonical status and its `details`, never from
 * the wording of its message: Gemini's per-minute 429 says "You exceeded your current quota, please
 * check your plan and billing details", which reads like a billing problem but is a rate limit.
 *
 * - `RESOURCE_EXHAUSTED` (429): `rate_limit`, retryable, with `retryAfterMs` from `RetryInfo.retryDelay`;
 *   `insufficient_quota` (not retryable) only when a `QuotaFailure` names a per-day or per-month
 *   quota (its `quotaId` or `quotaMetric`) and no per-minute one.
 * - `UNAVAILABLE` (503), `INTERNAL` (500), `DEADLINE_EXCEEDED` (504): retryable.
 * - `INVALID_ARGUMENT`, `FAILED_PRECONDITION`, `OUT_OF_RANGE` (400): `invalid_request`, final;
 *   `auth` when an `ErrorInfo` reason says the API key is invalid or expired.
 * - `UNAUTHENTICATED` 401 `auth`, `PERMISSION_DENIED` 403 `permission`, `NOT_FOUND` 404 `not_found`.
 *
 * @param statusCode The HTTP status when the error came over HTTP; else the one its code maps to.
 */
export function classifyGoogleError(error: GoogleError, statusCode?: number): ErrorClassification {
  const status = statusCode ?? httpStatusOfGoogleError(error);
  const category = categoryOf(error, status);
  const classification: ErrorClassification = {
    category,
    retryable: retryableCategories.has(category),
    message: error.message ?? error.status ?? (status === undefined ? 'Unknown error' : `HTTP ${status}`),
  };
  if (status !== undefined) classification.statusCode = status;
  if (error.status !== undefined) classification.code = error.status;
  const reason = errorInfoReason(error.details);
  if (reason !== undefined) classification.type = reason;
  if (classification.retryable) {
    const retryAfterMs = retryDelayMs(error.details);
    if (retryAfterMs !== undefined) classification.retryAfterMs = retryAfterMs;
  }
  return classification;
}

function categoryOf(error: GoogleError, status: number | undefined): ErrorCategory {
  const reason = errorInfoReason(error.details);
  if (reason !== undefined && authReasons.has(reason)) return 'auth';
  switch (error.status) {
    case 'RESOURCE_EXHAUSTED':
      return isLongQuota(error.details) ? 'insufficient_quota' : 'rate_limit';
    case 'UNAVAILABLE':
    case 'INTERNAL':
    case 'UNKNOWN':
    case 'DATA_LOSS':
    case 'ABORTED':
      return 'server';
    case 'DEADLINE_EXCEEDED':
      return 'timeout';
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
    case 'OUT_OF_RANGE':
    case 'ALREADY_EXISTS':
    case 'UNIMPLEMENTED':
      return 'invalid_request';
    case 'UNAUTHENTICATED':
      return 'auth';
    case 'PERMISSION_DENIED':
      return 'permission';
    case 'NOT_FOUND':
      return 'not_found';
    case 'CANCELLED':
      return 'cancelled';
    default:
      break;
  }
  if (status === undefined) return 'unknown';
  if (status === 429) return isLongQuota(error.details) ? 'insufficient_quota' : 'rate_limit';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 504 || status === 408) return 'timeout';
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid_request';
  return 'unknown';
}

function detailsOfType(details: readonly GoogleErrorDetail[], type: string): GoogleErrorDetail[] {
  return details.filter((detail) => detail['@type'] === type);
}

function errorInfoReason(details: readonly GoogleErrorDetail[]): string | undefined {
  const reason = detailsOfType(details, errorInfoType)[0]?.['reason'];
  return typeof reason === 'string' && reason !== '' ? reason : undefined;
}

/** True when every quota the `QuotaFailure`s name is counted per day or longer (none per minute). */
function isLongQuota(details: readonly GoogleErrorDetail[]): boolean {
  const names: string[] = [];
  for (const failure of detailsOfType(details, quotaFailureType)) {
    const violations = Array.isArray(failure['violations']) ? failure['violations'] : [];
    for (const violation of violations) {
      if (typeof violation !== 'object' || violation === null) continue;
      const { quotaId, quotaMetric } = violation as { quotaId?: unknown; quotaMetric?: unknown };
      names.push([quotaId, quotaMetric].filter((part) => typeof part === 'string').join(' '));
    }
  }
  return names.length > 0 && names.every((name) => longQuotaPattern.test(name));
}

/** `RetryInfo.retryDelay` (a protobuf Duration: "37s", "0.5s", or `{ seconds, nanos }`) in whole ms. */
function retryDelayMs(details: readonly GoogleErrorDetail[]): number | undefined {
  const delay = detailsOfType(details, retryInfoType)[0]?.['retryDelay'];
  if (typeof delay === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
    return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
  }
  if (typeof delay === 'object' && delay !== null) {
    const { seconds, nanos } = delay as { seconds?: unknown; nanos?: unknown };
    const wholeSeconds = typeof seconds === 'number' ? seconds : typeof seconds === 'string' ? Number(seconds) : 0;
    const fraction = typeof nanos === 'number' ? nanos / 1e9 : 0;
    const total = wholeSeconds + fraction;
    return Number.isFinite(total) && total >= 0 ? Math.ceil(total * 1000) : undefined;
  }
  return undefined;
}
