import type { ErrorCategory, ItemError } from '../models/item-error.js';
import { isAbortError } from './abort-error.js';
import { ApiCallError } from './api-call-error.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { JobNotFoundError } from './job-not-found-error.js';
import { LlmBatchError } from './llm-batch-error.js';
import { type HeadersLike, parseRetryAfter, readHeader } from './parse-retry-after.js';
import { redactSecrets } from './redact-secrets.js';
import { ValidationError } from './validation-error.js';

// Kept here too: the public entry point and the client have always imported it from this module.
export { redactSecrets } from './redact-secrets.js';

/** What `classifyError` makes of an error: enough to decide whether and when to retry, and to report it. */
export interface ErrorClassification {
  category: ErrorCategory;
  retryable: boolean;
  retryAfterMs?: number;
  statusCode?: number;
  code?: string;
  type?: string;
  message: string;
  requestId?: string;
}

type UnknownRecord = Record<string, unknown>;

/** The provider's error details, flattened out of whichever envelope they arrived in. */
interface ApiErrorDetails {
  message?: string;
  type?: string;
  code?: string;
  requestId?: string;
}

// Node and undici codes for a connection that failed or broke; the request may not have reached the server.
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

const timeoutNames = new Set(['APIConnectionTimeoutError', 'TimeoutError', 'ConnectTimeoutError']);
const connectionNames = new Set(['APIConnectionError', 'FetchError', 'SocketError']);

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

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

const retryableCategories = new Set<ErrorCategory>([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'expired',
]);

/**
 * Maps any error to a category and a retry decision. No I/O; it reads only `Date.now()` (for
 * `retry-after` HTTP dates) and the key variables of the environment (to mask their values).
 *
 * Understands, without importing either SDK: `openai` and `@anthropic-ai/sdk` `APIError`s (status,
 * headers, body), their connection, timeout and user-abort errors, Node/undici network errors
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

// Where an HTML document starts inside a message (the SDKs put a non-JSON body after the status).
const htmlStart = /<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|title[\s>])/i;
// Enough of a page to find its title or first words; error pages put them near the top.
const htmlScanLength = 64 * 1024;
const htmlSummaryLength = 200;

/**
 * A message holding a whole HTML page (a proxy's or a load balancer's 502 page, which the SDKs
 * report as `"502 <!DOCTYPE html>…"`) shortened to what a person needs: the text before the page,
 * the page's `<title>` (else its first words) and its size, as
 * `"502 Bad Gateway (HTML error page, 1,234 bytes)"`. `statusCode` leads when the message does not
 * say it already. Other messages are returned as they are.
 */
export function condenseHtmlPage(message: string, statusCode?: number): string {
  const start = message.search(htmlStart);
  if (start === -1) return message;
  const before = message.slice(0, start).trim().replace(/[:;,-]$/, '').trim();
  const page = message.slice(start);
  const scanned = page.slice(0, htmlScanLength);
  let summary = plainText(between(scanned, '<title', '</title'));
  if (summary === '') summary = plainText(scanned.replace(/<head[\s>][\s\S]*?(?:<\/head>|$)/i, ''));
  summary = summary.length > htmlSummaryLength ? `${summary.slice(0, htmlSummaryLength - 1)}…` : summary;
  // "502 <title>502 Bad Gateway</title>": the status is already in the title.
  const status = before === '' && statusCode !== undefined ? String(statusCode) : before;
  const lead = status !== '' && !(/^\d{3}$/.test(status) && summary.startsWith(status)) ? status : '';
  const text = [lead, summary].filter((part) => part !== '').join(' ');
  const size = `HTML error page, ${new TextEncoder().encode(page).length.toLocaleString('en-US')} bytes`;
  return text === '' ? `(${size})` : `${text} (${size})`;
}

/** The content of the first `open`…`close` element (tag names in lower case), or ''. */
function between(html: string, open: string, close: string): string {
  const lower = html.toLowerCase();
  const start = lower.indexOf(open);
  const contentStart = start === -1 ? -1 : lower.indexOf('>', start);
  if (contentStart === -1) return '';
  const end = lower.indexOf(close, contentStart);
  return end === -1 ? '' : html.slice(contentStart + 1, end);
}

/**
 * The visible text of an HTML fragment: no scripts, styles, tags or comments; entities decoded;
 * spaces collapsed. An element left open runs to the end (which also keeps every pattern linear).
 */
function plainText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style)[\s>][\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|#39|apos);/g, (_, entity: string) => htmlEntities[entity] ?? ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const htmlEntities: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

/**
 * The `ItemError` for a failed item: the classification without the request id (which belongs in
 * logs, not in results). Never contains an API key.
 */
export function toItemError(error: unknown): ItemError {
  return itemErrorFromClassification(classifyError(error));
}

/**
 * The `ItemError` of a classification already made (the emulated adapter classifies each failed
 * call once, to decide on a retry, and reports the same classification). Drops the request id.
 */
export function itemErrorFromClassification(classification: ErrorClassification): ItemError {
  const itemError: ItemError = {
    category: classification.category,
    message: classification.message,
    retryable: classification.retryable,
  };
  if (classification.statusCode !== undefined && Number.isInteger(classification.statusCode)) {
    itemError.statusCode = classification.statusCode;
  }
  if (classification.code !== undefined) itemError.code = classification.code;
  if (classification.type !== undefined) itemError.type = classification.type;
  if (classification.retryAfterMs !== undefined) itemError.retryAfterMs = classification.retryAfterMs;
  return itemError;
}

function classifyUnredacted(error: unknown, depth: number): ErrorClassification {
  if (isAbortError(error)) {
    return { category: 'cancelled', retryable: false, message: messageOf(error) ?? 'The operation was aborted' };
  }
  if (LlmBatchError.isInstance(error)) return classifyOwnError(error, depth);
  if (!isRecord(error)) {
    return { category: 'unknown', retryable: false, message: error === undefined ? 'Unknown error' : String(error) };
  }

  const fromBatchLine = classifyBatchLine(error, depth);
  if (fromBatchLine) return fromBatchLine;

  const statusCode = statusOf(error);
  const headers = headersOf(error);
  if (statusCode !== undefined) return classifyHttp(error, statusCode, headers);

  if (isTimeout(error)) {
    return { category: 'timeout', retryable: true, message: messageOf(error) ?? 'Request timed out', ...networkCode(error) };
  }
  const network = findNetworkCode(error);
  if (network !== undefined || isConnectionError(error)) {
    return {
      category: 'network',
      retryable: true,
      message: messageOf(error) ?? 'Connection error',
      ...(network === undefined ? {} : { code: network }),
    };
  }

  const details = extractDetails(error);
  const category = categoryFromDetails(details, undefined);
  if (category !== undefined) return withDetails({ category, retryable: retryableCategories.has(category) }, details, error);

  // The SDKs parse a 200 body with JSON.parse: a cut-off or garbled body surfaces as a SyntaxError.
  // That is the server's fault, and asking again usually gets a whole answer.
  if (error instanceof SyntaxError || (error as { name?: unknown }).name === 'SyntaxError') {
    return { category: 'server', retryable: true, message: `The response body was not valid JSON: ${messageOf(error) ?? ''}`.trim() };
  }

  return { category: 'unknown', retryable: false, message: messageOf(error) ?? safeStringify(error) };
}

function classifyOwnError(ownError: LlmBatchError, depth: number): ErrorClassification {
  // `unknown`, so that a failed structural type guard does not narrow the rest to `never`.
  const error: unknown = ownError;
  if (ValidationError.isInstance(error)) {
    return { category: 'validation', retryable: false, message: error.message, code: error.code };
  }
  if (BudgetExceededError.isInstance(error)) {
    return { category: 'budget', retryable: false, message: error.message, code: error.code };
  }
  if (JobNotFoundError.isInstance(error)) {
    return { category: 'not_found', retryable: false, message: error.message, code: error.code };
  }
  if (ApiCallError.isInstance(error)) {
    // The wrapped provider error still knows the server's retry-after, code and type.
    const cause = error.cause !== undefined && depth < 4 ? classifyUnredacted(error.cause, depth + 1) : undefined;
    const classification: ErrorClassification = {
      category: error.category,
      retryable: error.category === 'cancelled' ? false : error.retryable,
      message: error.message,
    };
    const statusCode = error.statusCode ?? cause?.statusCode;
    if (statusCode !== undefined) classification.statusCode = statusCode;
    const requestId = error.requestId ?? cause?.requestId;
    if (requestId !== undefined) classification.requestId = requestId;
    if (cause?.code !== undefined) classification.code = cause.code;
    if (cause?.type !== undefined) classification.type = cause.type;
    if (cause?.retryAfterMs !== undefined) classification.retryAfterMs = cause.retryAfterMs;
    return classification;
  }
  return { category: 'unknown', retryable: false, message: ownError.message, code: ownError.code };
}

/**
 * Per-item errors from batch result files. Returns undefined when the value is not one of them.
 * OpenAI: `{ custom_id, response: { status_code, body }, error: { code, message } | null }`.
 * Anthropic: `{ custom_id, result: { type: 'errored', error: { type: 'error', error: { type, message } } } }`.
 */
function classifyBatchLine(value: UnknownRecord, depth: number): ErrorClassification | undefined {
  if (depth > 4) return undefined;
  // A whole line: look at the part that carries the failure.
  if ('custom_id' in value) {
    if (isRecord(value.result)) return classifyBatchLine(value.result, depth + 1) ?? classifyUnredacted(value.result, depth + 1);
    if (isRecord(value.error)) return classifyUnredacted(value.error, depth + 1);
    if (isRecord(value.response)) return classifyUnredacted(value.response, depth + 1);
  }
  // An Anthropic result.
  if (value.type === 'errored' && isRecord(value.error)) return classifyUnredacted(value.error, depth + 1);
  if (value.type === 'expired') return { category: 'expired', retryable: true, message: 'The request expired before it was processed' };
  if (value.type === 'canceled' || value.type === 'cancelled') {
    return { category: 'cancelled', retryable: false, message: 'The request was cancelled before it was processed' };
  }
  // An OpenAI `response` envelope of a failed line: `{ status_code, request_id, body: { error } }`.
  if (typeof value.status_code === 'number' && 'body' in value) {
    const details = extractDetails(value.body);
    if (details.requestId === undefined && typeof value.request_id === 'string') details.requestId = value.request_id;
    return classifyStatus(value.status_code, details, undefined, value);
  }
  return undefined;
}

function classifyHttp(error: UnknownRecord, statusCode: number, headers: HeadersLike | undefined): ErrorClassification {
  const details = extractDetails(error);
  if (details.requestId === undefined && headers !== undefined) {
    details.requestId = readHeader(headers, 'x-request-id') ?? readHeader(headers, 'request-id');
  }
  // Anthropic's SDK exposes `details.error_code` (spend limits) as `errorCode`.
  if (typeof error.errorCode === 'string' && quotaCodes.has(error.errorCode)) details.code ??= error.errorCode;
  return classifyStatus(statusCode, details, headers, error);
}

function classifyStatus(
  statusCode: number,
  details: ApiErrorDetails,
  headers: HeadersLike | undefined,
  source: unknown,
): ErrorClassification {
  const category = categoryFromDetails(details, statusCode) ?? categoryFromStatus(statusCode);
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

/** The categories that a type, code or message decides better than the status does. */
function categoryFromDetails(details: ApiErrorDetails, statusCode: number | undefined): ErrorCategory | undefined {
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

/**
 * Walks `error` envelopes down to the innermost error object. OpenAI's SDK gives
 * `{ error: { message, type, param, code } }`; Anthropic's gives the whole body
 * `{ error: { type: 'error', error: { type, message }, request_id } }`; result lines nest the same way.
 */
function extractDetails(value: unknown): ApiErrorDetails {
  const details: ApiErrorDetails = {};
  let current: unknown = value;
  const levels: UnknownRecord[] = [];
  for (let depth = 0; depth < 5 && isRecord(current); depth++) {
    levels.push(current);
    current = current.error;
  }
  // Innermost first: the outer levels are envelopes (`type: 'error'`) or SDK wrappers.
  for (const level of levels.reverse()) {
    if (details.message === undefined && typeof level.message === 'string' && level.message !== '') {
      details.message = level.message;
    }
    if (details.type === undefined && typeof level.type === 'string' && level.type !== 'error' && level.type !== 'errored') {
      details.type = level.type;
    }
    if (details.code === undefined && typeof level.code === 'string') details.code = level.code;
    if (details.code === undefined && isRecord(level.details) && typeof level.details.error_code === 'string') {
      details.code = level.details.error_code;
    }
    const requestId = level.request_id ?? level.requestID ?? level.requestId;
    if (details.requestId === undefined && typeof requestId === 'string') details.requestId = requestId;
  }
  // An SDK error's own `message` is "429 <inner message>"; prefer the inner message found above.
  return details;
}

function statusOf(error: UnknownRecord): number | undefined {
  for (const key of ['status', 'statusCode', 'status_code'] as const) {
    const value = error[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value < 600) return value;
  }
  return undefined;
}

function headersOf(error: UnknownRecord): HeadersLike | undefined {
  const headers = error.headers ?? (isRecord(error.response) ? error.response.headers : undefined);
  if (!isRecord(headers)) return undefined;
  return headers as HeadersLike;
}

function isTimeout(error: UnknownRecord): boolean {
  for (const link of causeChain(error)) {
    const names = namesOf(link);
    if (names.some((name) => timeoutNames.has(name))) return true;
    if (typeof link.code === 'string' && timeoutCodes.has(link.code)) return true;
  }
  return false;
}

function isConnectionError(error: UnknownRecord): boolean {
  for (const link of causeChain(error)) {
    const names = namesOf(link);
    if (names.some((name) => connectionNames.has(name))) return true;
    // undici: `fetch failed` before the response, `terminated` when the connection broke during a body.
    if (names.includes('TypeError') && (link.message === 'fetch failed' || link.message === 'terminated')) return true;
  }
  return false;
}

function findNetworkCode(error: UnknownRecord): string | undefined {
  for (const link of causeChain(error)) {
    if (typeof link.code === 'string' && networkCodes.has(link.code)) return link.code;
    if (typeof link.errno === 'string' && networkCodes.has(link.errno)) return link.errno;
  }
  return undefined;
}

function networkCode(error: UnknownRecord): { code?: string } {
  const code = findNetworkCode(error);
  return code === undefined ? {} : { code };
}

/** The error and its `cause`s (bounded: causes can be cyclic). */
function* causeChain(error: UnknownRecord): Generator<UnknownRecord> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && isRecord(current); depth++) {
    yield current;
    if (current.cause === current) return;
    current = current.cause;
    // `AggregateError`s (happy-eyeballs connects) carry the real causes in `errors`.
    if (!isRecord(current) && depth === 0 && Array.isArray(error.errors) && isRecord(error.errors[0])) {
      current = error.errors[0];
    }
  }
}

/**
 * The error's names: its `name` and its class name. OpenAI's SDK classes do not set `name` (it
 * stays `Error`), while a DOMException's class name says nothing; so both are checked.
 */
function namesOf(error: UnknownRecord): string[] {
  const names: string[] = [];
  if (typeof error.name === 'string') names.push(error.name);
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
  if (typeof constructorName === 'string') names.push(constructorName);
  return names;
}

function messageOf(error: unknown): string | undefined {
  if (!isRecord(error)) return undefined;
  return typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
}

function describeStatus(statusCode: number | undefined): string {
  return statusCode === undefined ? 'Unknown error' : `HTTP ${statusCode}`;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null;
}
