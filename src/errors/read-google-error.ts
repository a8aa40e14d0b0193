import { isRecord, type UnknownRecord } from './read-error-fields.js';

/** One entry of a Google error's `details` (a `google.rpc.*` message tagged with its `@type`). */
export type GoogleErrorDetail = UnknownRecord & { readonly '@type'?: string };

/** A Google API error (`google.rpc.Status` as JSON): what Gemini answers in error bodies and batch lines. */
export interface GoogleError {
  /** The HTTP status in an HTTP error body; the gRPC code (0-16) in a `google.rpc.Status` of a batch line. */
  readonly code?: number;
  readonly message?: string;
  /** The canonical code's name: `RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, `UNAVAILABLE` ... */
  readonly status?: string;
  readonly details: readonly GoogleErrorDetail[];
}

// The canonical codes by their gRPC number (google.rpc.Code), for batch lines that carry only the number.
const statusNames = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

// The HTTP status Google maps each canonical code to (google/rpc/code.proto).
const httpStatusByName: Readonly<Record<string, number>> = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

/**
 * Finds a Google error in what an SDK threw or a batch line holds, or undefined when there is none:
 * - `@google/genai`'s `ApiError`, whose `message` is the whole JSON body `{"error":{code,message,status,details}}`;
 * - a parsed body `{ error: { code, message, status, details } }`;
 * - a bare `google.rpc.Status` `{ code, message, status?, details? }` with a canonical name or a gRPC number.
 *
 * A bare object counts only when it has a `status` name from the canonical list, or a gRPC number
 * and a `details` array: other libraries' errors also carry a numeric `code`.
 */
export function readGoogleError(value: UnknownRecord): GoogleError | undefined {
  if (typeof value.message === 'string' && value.message.startsWith('{') && value.message.includes('"error"')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.message);
    } catch {
      parsed = undefined;
    }
    if (isRecord(parsed) && isRecord(parsed.error)) {
      const inner = readStatus(parsed.error, true);
      if (inner !== undefined) return inner;
    }
  }
  if (isRecord(value.error)) {
    const inner = readStatus(value.error, false);
    if (inner !== undefined) return inner;
  }
  return readStatus(value, false);
}

/**
 * A per-request error of a Gemini batch (a `google.rpc.Status`, whose `code` is the gRPC number),
 * or undefined when `value` has neither a numeric `code` nor a canonical `status` name.
 */
export function readGoogleStatus(value: UnknownRecord): GoogleError | undefined {
  return readStatus(value, true);
}

/** The HTTP status of a Google error: its own `code` when it is one, else the canonical mapping. */
export function httpStatusOfGoogleError(error: GoogleError): number | undefined {
  if (error.code !== undefined && error.code >= 100 && error.code < 600) return error.code;
  return error.status === undefined ? undefined : httpStatusByName[error.status];
}

/** `lenient`: a numeric `code` alone is enough (an HTTP body's envelope, a batch line's status). */
function readStatus(value: UnknownRecord, lenient: boolean): GoogleError | undefined {
  const details = Array.isArray(value.details) ? value.details.filter(isRecord) : undefined;
  const code = typeof value.code === 'number' && Number.isInteger(value.code) ? value.code : undefined;
  let status = typeof value.status === 'string' && (statusNames as readonly string[]).includes(value.status) ? value.status : undefined;
  if (status === undefined && code !== undefined && code > 0 && code < statusNames.length && (details !== undefined || lenient)) {
    status = statusNames[code];
  }
  if (status === undefined && !(lenient && code !== undefined)) return undefined;
  return {
    ...(code === undefined ? {} : { code }),
    ...(typeof value.message === 'string' ? { message: value.message } : {}),
    ...(status === undefined ? {} : { status }),
    details: (details ?? []) as GoogleErrorDetail[],
  };
}
