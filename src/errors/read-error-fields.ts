import type { HeadersLike } from './parse-retry-after.js';

/** Any object, read field by field: errors come from SDKs, fetch, Node and result lines alike. */
export type UnknownRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null;
}

/** The error's own `message`, when it has a non-empty one. */
export function messageOf(error: unknown): string | undefined {
  if (!isRecord(error)) return undefined;
  return typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
}

/** The HTTP status an SDK error or a result line carries (`status`, `statusCode` or `status_code`). */
export function statusOf(error: UnknownRecord): number | undefined {
  for (const key of ['status', 'statusCode', 'status_code'] as const) {
    const value = error[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** The response headers of an SDK error (its own `headers`, or its `response`'s). */
export function headersOf(error: UnknownRecord): HeadersLike | undefined {
  const headers = error.headers ?? (isRecord(error.response) ? error.response.headers : undefined);
  if (!isRecord(headers)) return undefined;
  return headers as HeadersLike;
}
