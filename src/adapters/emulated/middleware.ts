import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type { ErrorClassification } from '../../errors/classify-error.js';

/** Returned by `before` to leave a request out: with a `result`, that result is recorded; without, the item is `cancelled`. */
export interface SkipRequest {
  readonly skip: true;
  readonly result?: BatchResult;
}

/** Details passed to `onError` for every failed call of an item. */
export interface MiddlewareErrorContext {
  /** The failed attempt (1-based, every call counted). */
  readonly attempt: number;
  readonly classification: ErrorClassification;
  /** Whether the item will be tried again. */
  readonly willRetry: boolean;
}

/**
 * Hooks around each item, run in array order (`after` in array order too). Their exceptions fail the
 * item (category `unknown`), never the job.
 *
 * @example
 * const redact: EmulatedMiddleware = {
 *   before: (request) => ({ ...request, metadata: { ...request.metadata, sentAt: Date.now() } }),
 *   after: (request, result) => result,
 * };
 */
export interface EmulatedMiddleware {
  /** Rewrites the request before its first call, or skips it. */
  before?(request: BatchRequest): BatchRequest | SkipRequest | Promise<BatchRequest | SkipRequest>;
  /** Rewrites a terminal result (succeeded or failed) before it is recorded. */
  after?(request: BatchRequest, result: BatchResult): BatchResult | Promise<BatchResult>;
  /** Observes every failed call (also the ones that will be retried). */
  onError?(request: BatchRequest, error: unknown, context: MiddlewareErrorContext): void | Promise<void>;
}

export function isSkipRequest(value: BatchRequest | SkipRequest): value is SkipRequest {
  return (value as SkipRequest).skip === true;
}

/** Runs every `before` in order; stops at the first skip. */
export async function applyBefore(
  middleware: readonly EmulatedMiddleware[],
  request: BatchRequest,
): Promise<BatchRequest | SkipRequest> {
  let current = request;
  for (const layer of middleware) {
    if (layer.before === undefined) continue;
    const next = await layer.before(current);
    if (isSkipRequest(next)) return next;
    current = next;
  }
  return current;
}

/** Runs every `after` in order over the result. */
export async function applyAfter(
  middleware: readonly EmulatedMiddleware[],
  request: BatchRequest,
  result: BatchResult,
): Promise<BatchResult> {
  let current = result;
  for (const layer of middleware) {
    if (layer.after !== undefined) current = await layer.after(request, current);
  }
  return current;
}

/** Runs every `onError`; their own failures are ignored (they only observe). */
export async function applyOnError(
  middleware: readonly EmulatedMiddleware[],
  request: BatchRequest,
  error: unknown,
  context: MiddlewareErrorContext,
): Promise<void> {
  for (const layer of middleware) {
    if (layer.onError === undefined) continue;
    try {
      await layer.onError(request, error, context);
    } catch {
      // An observer of errors must not turn one failure into another.
    }
  }
}
