/**
 * Gemini's error body (`google.rpc.Status` inside `error`): `{ error: { code, message, status, details } }`,
 * and the bodies of the HTTP faults in that shape (429 `RESOURCE_EXHAUSTED` with `QuotaFailure` and
 * `RetryInfo`, 503 `UNAVAILABLE`, 500 `INTERNAL`).
 */
import type { FaultKind } from './options.js';

/** The body of a Gemini API error. */
export interface GeminiErrorBody {
  error: { code: number; message: string; status: string; details?: Record<string, unknown>[] };
}

/** The canonical `google.rpc.Code` name Google's front end sends for an HTTP status. */
export function geminiStatusName(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ALREADY_EXISTS';
    case 412:
      return 'FAILED_PRECONDITION';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}

export function geminiErrorBody(status: number, message: string, details?: { status?: string; details?: Record<string, unknown>[] }): GeminiErrorBody {
  return {
    error: {
      code: status,
      message,
      status: details?.status ?? geminiStatusName(status),
      ...(details?.details === undefined ? {} : { details: details.details }),
    },
  };
}

/** `retryDelay` as Google formats a `google.protobuf.Duration` (`"1s"`, `"23.5s"`). */
export function protobufDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(3))}s`;
}

const quotaMessage =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ';

/**
 * The 429 Gemini sends when a quota runs out. `perMinute` carries a `RetryInfo` (the delay after which
 * the call may succeed); the per-day quota does not, and retrying it within the day is pointless.
 */
export function geminiQuotaError(model: string, retryAfterMs: number, perMinute: boolean): GeminiErrorBody {
  const quotaId = perMinute ? 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' : 'GenerateRequestsPerDayPerProjectPerModel-FreeTier';
  const metric = 'generativelanguage.googleapis.com/generate_content_free_tier_requests';
  const limit = perMinute ? '10' : '250';
  const details: Record<string, unknown>[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: metric, quotaId, quotaDimensions: { location: 'global', model }, quotaValue: limit }],
    },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
  ];
  let message = `${quotaMessage}\n* Quota exceeded for metric: ${metric}, limit: ${limit}, model: ${model}`;
  if (perMinute) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: protobufDuration(Math.ceil(retryAfterMs / 1000) * 1000) });
    message += `\nPlease retry in ${protobufDuration(retryAfterMs)}.`;
  }
  return geminiErrorBody(429, message, { details });
}

/** Status and body of an HTTP fault answered in Gemini's shape (no `retry-after` header: Gemini sends none). */
export function geminiFaultResponse(kind: FaultKind, model: string, retryAfterMs: number): { status: number; body: GeminiErrorBody; headers: Record<string, string> } {
  switch (kind) {
    case '429':
      return { status: 429, body: geminiQuotaError(model, retryAfterMs, true), headers: {} };
    case 'insufficient_quota':
      return { status: 429, body: geminiQuotaError(model, retryAfterMs, false), headers: {} };
    case '503':
    case '529':
      return { status: 503, body: geminiErrorBody(503, 'The model is overloaded. Please try again later.'), headers: {} };
    case '502':
      return { status: 502, body: geminiErrorBody(502, 'Bad Gateway', { status: 'UNAVAILABLE' }), headers: {} };
    default:
      return {
        status: 500,
        body: geminiErrorBody(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
        headers: {},
      };
  }
}
