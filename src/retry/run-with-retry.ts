import { AbortError } from '../errors/abort-error.js';
import { classifyError, type ErrorClassification } from '../errors/classify-error.js';
import { assertRetryStrategy } from './assert-retry-strategy.js';
import { delay } from './delay.js';
import type { RetryContext, RetryStrategy } from './retry-strategy.js';
import { describeValue } from './validate-options.js';

/** What `onRetry` receives: the failed attempt and the wait before the next one. */
export interface RetryEvent extends RetryContext {
  readonly delayMs: number;
}

/** Options of {@link runWithRetry}. */
export interface RunWithRetryOptions {
  /** When and how long to wait; `exponentialBackoff()`, `fixedDelay()`, `noRetry()` or your own. */
  readonly strategy: RetryStrategy;
  /**
   * Handed to each attempt. Once aborted: no further attempt, the pending wait is cancelled, and an
   * `AbortError` is thrown (an attempt under way ends when it heeds the signal; one that ignores it
   * and succeeds still returns its value).
   */
  readonly signal?: AbortSignal | undefined;
  /** Called before each wait, e.g. for logging; awaited. Its errors propagate. */
  readonly onRetry?: ((event: RetryEvent) => void | Promise<void>) | undefined;
  /** How a failure is classified (an adapter's own classifier). @default classifyError */
  readonly classify?: ((error: unknown) => ErrorClassification) | undefined;
}

/**
 * The retry loop of the client's idempotent provider calls (status, results, cancel, find); batch
 * creation is never passed through it, because retrying a create that did reach the server pays
 * twice. (The emulated adapter retries each item's calls in a loop of its own, with the same
 * strategies and `classifyError`.)
 *
 * Each failure is classified with `classifyError`; the strategy decides whether and how long to
 * wait. Aborts are never retried: an aborted `signal` ends the loop with an `AbortError`, and an
 * error classified `cancelled` is rethrown as is. When retries run out the last error is thrown
 * unchanged.
 *
 * @example
 * const batch = await runWithRetry((attempt, signal) => client.batches.retrieve(id, { signal }), {
 *   strategy: exponentialBackoff({ maxRetries: 5 }),
 *   signal,
 * });
 */
export async function runWithRetry<T>(
  operation: (attempt: number, signal?: AbortSignal) => Promise<T>,
  options: RunWithRetryOptions,
): Promise<T> {
  if (typeof operation !== 'function') {
    throw new TypeError(`Expected "operation" to be a function, got ${describeValue(operation)}`);
  }
  const { strategy, signal, onRetry } = options;
  const classify = options.classify ?? classifyError;
  assertRetryStrategy(strategy);
  if (onRetry !== undefined && typeof onRetry !== 'function') {
    throw new TypeError(`Expected option "onRetry" to be a function, got ${describeValue(onRetry)}`);
  }

  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    try {
      return await operation(attempt, signal);
    } catch (error) {
      if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
      const classification = classify(error);
      if (classification.category === 'cancelled') throw error;
      const context: RetryContext = { attempt, error, classification, elapsedMs: Date.now() - startedAt };
      if (!strategy.shouldRetry(context)) throw error;
      const delayMs = strategy.delayMs(context);
      if (typeof delayMs !== 'number' || Number.isNaN(delayMs) || delayMs < 0) {
        throw new TypeError(`Expected strategy.delayMs() to return a non-negative number, got ${describeValue(delayMs)}`);
      }
      await onRetry?.({ ...context, delayMs });
      await delay(delayMs, { signal });
    }
  }
}
